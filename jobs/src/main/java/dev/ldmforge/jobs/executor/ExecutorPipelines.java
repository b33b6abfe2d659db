package dev.ldmforge.jobs.executor;

import dev.ldmforge.jobs.storage.S3Settings;
import dev.ldmforge.runtime.pipeline.LoadOptions;
import dev.ldmforge.runtime.pipeline.StableDiffusion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The models of one executor JVM: each (model, device, dtype) is loaded once, on first use, and reused by every task
 * and stage that follows. Concurrent tasks asking for the same model wait for the one load in progress.
 */
public final class ExecutorPipelines {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorPipelines.class);
    private static final Map<Key, StableDiffusion> MODELS = new ConcurrentHashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private record Key(String model, String device, String dtype, int attentionChunk) {
    }

    private ExecutorPipelines() {
    }

    /**
     * The loaded model; {@code s3://} models are first copied to this node's cache folder, hub models (pinned to a
     * commit by the driver) come from the node's hub cache, the job's mirror or the Hub ({@link ModelSource}).
     */
    public static StableDiffusion get(String model, String device, String dtype, int attentionChunk,
                                      S3Settings s3, Path cacheDir, HubConf hub) {
        return MODELS.computeIfAbsent(new Key(model, device, dtype, attentionChunk), k -> {
            long start = System.nanoTime();
            String local = ModelSource.resolve(model, s3, cacheDir, hub);
            StableDiffusion sd = StableDiffusion.load(local, LoadOptions.cpu().withDevice(device).withDtype(dtype)
                    .withAttentionQueryChunk(attentionChunk).withHub(hub.settings()));
            int n = LOADS.incrementAndGet();
            LOG.info("loaded model {} on {} ({}) in {} s (load #{} in this JVM), weights sha256 {}", model, device,
                    dtype, String.format("%.1f", (System.nanoTime() - start) / 1e9), n, sd.info().weightsSha256());
            return sd;
        });
    }

    /** How many models this JVM has loaded: the multi-executor tests check it is one per executor. */
    public static int loads() {
        return LOADS.get();
    }
}
