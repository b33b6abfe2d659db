package dev.ldmforge.jobs.executor;

import dev.ldmforge.jobs.storage.S3Settings;
import dev.ldmforge.runtime.pipeline.LoadOptions;
import dev.ldmforge.runtime.pipeline.StableDiffusion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The models of one executor JVM: each (model, device, dtype) is loaded once, on first use, and reused by every task
 * and stage that follows. Concurrent tasks asking for the same model wait for the one load in progress. At most
 * {@code maxLoaded} models stay loaded: when a lease would exceed it, the least recently used model that no task holds
 * is closed, which frees its native (libtorch) memory. Models in use are never closed; the JVM may hold more than
 * {@code maxLoaded} while they are, and evicts as soon as their leases end.
 */
public final class ExecutorPipelines {
    private static final Logger LOG = LoggerFactory.getLogger(ExecutorPipelines.class);
    /** In access order: the eldest entry is the least recently leased. */
    private static final LinkedHashMap<Key, Entry> MODELS = new LinkedHashMap<>(16, 0.75f, true);
    private static final AtomicInteger LOADS = new AtomicInteger();
    private static final AtomicInteger EVICTIONS = new AtomicInteger();

    private record Key(String model, String device, String dtype, int attentionChunk) {
    }

    /** A model being loaded or loaded, and how many leases hold it. Guarded by {@link #MODELS}. */
    private static final class Entry {
        final CompletableFuture<StableDiffusion> model = new CompletableFuture<>();
        int leases;
    }

    /** A task's hold on a loaded model: while open the model is not evicted. */
    public static final class Lease implements AutoCloseable {
        private final Entry entry;
        private final StableDiffusion model;
        private final int maxLoaded;
        private boolean closed;

        private Lease(Entry entry, StableDiffusion model, int maxLoaded) {
            this.entry = entry;
            this.model = model;
            this.maxLoaded = maxLoaded;
        }

        public StableDiffusion model() {
            return model;
        }

        @Override
        public void close() {
            synchronized (MODELS) {
                if (closed) {
                    return;
                }
                closed = true;
                entry.leases--;
            }
            evict(maxLoaded);
        }
    }

    private ExecutorPipelines() {
    }

    /**
     * A lease on the loaded model; {@code s3://} models are first copied to this node's cache folder, hub models
     * (pinned to a commit by the driver) come from the node's hub cache, the job's mirror or the Hub
     * ({@link ModelSource}). Close the lease when the task no longer needs the model.
     */
    public static Lease lease(String model, String device, String dtype, int attentionChunk, S3Settings s3,
                              Path cacheDir, HubConf hub, int maxLoaded) {
        if (maxLoaded < 1) {
            throw new IllegalArgumentException("--max-loaded-models must be at least 1, got " + maxLoaded);
        }
        Key key = new Key(model, device, dtype, attentionChunk);
        Entry entry;
        boolean load;
        synchronized (MODELS) {
            entry = MODELS.get(key);
            load = entry == null;
            if (load) {
                entry = new Entry();
                MODELS.put(key, entry);
            }
            entry.leases++;
        }
        // Room first: the eldest idle models go before a new one takes memory (or when the limit shrank).
        evict(maxLoaded);
        if (load) {
            try {
                entry.model.complete(load(key, s3, cacheDir, hub));
            } catch (RuntimeException | Error e) {
                entry.model.completeExceptionally(e);
            }
        }
        try {
            StableDiffusion sd = entry.model.join();
            return new Lease(entry, sd, maxLoaded);
        } catch (CompletionException e) {
            synchronized (MODELS) {
                entry.leases--;
                MODELS.remove(key, entry); // a failed load is retried by the next lease
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    private static StableDiffusion load(Key k, S3Settings s3, Path cacheDir, HubConf hub) {
        long start = System.nanoTime();
        String local = ModelSource.resolve(k.model(), s3, cacheDir, hub);
        StableDiffusion sd = StableDiffusion.load(local, LoadOptions.cpu().withDevice(k.device()).withDtype(k.dtype())
                .withAttentionQueryChunk(k.attentionChunk()).withHub(hub.settings()));
        int n = LOADS.incrementAndGet();
        LOG.info("loaded model {} on {} ({}) in {} s (load #{} in this JVM), weights sha256 {}", k.model(), k.device(),
                k.dtype(), String.format("%.1f", (System.nanoTime() - start) / 1e9), n, sd.info().weightsSha256());
        return sd;
    }

    /** Closes the least recently used idle models until at most {@code maxLoaded} remain (or only leased ones). */
    private static void evict(int maxLoaded) {
        List<Map.Entry<Key, Entry>> closing = new ArrayList<>();
        synchronized (MODELS) {
            int excess = MODELS.size() - maxLoaded;
            Iterator<Map.Entry<Key, Entry>> it = MODELS.entrySet().iterator();
            while (excess > 0 && it.hasNext()) {
                Map.Entry<Key, Entry> e = it.next();
                if (e.getValue().leases == 0 && e.getValue().model.isDone()) {
                    it.remove();
                    closing.add(e);
                    excess--;
                }
            }
        }
        for (Map.Entry<Key, Entry> e : closing) {
            StableDiffusion sd = e.getValue().model.getNow(null);
            if (sd != null && !e.getValue().model.isCompletedExceptionally()) {
                sd.close();
                EVICTIONS.incrementAndGet();
                LOG.info("evicted model {} ({}, {}): least recently used beyond --max-loaded-models {}",
                        e.getKey().model(), e.getKey().device(), e.getKey().dtype(), maxLoaded);
            }
        }
    }

    /** How many models this JVM has loaded: the multi-executor tests check it is one per executor. */
    public static int loads() {
        return LOADS.get();
    }

    /** How many models this JVM has closed to stay within its limit. */
    public static int evictions() {
        return EVICTIONS.get();
    }

    /** How many models this JVM holds now. */
    public static int loaded() {
        synchronized (MODELS) {
            return MODELS.size();
        }
    }
}
