package dev.ldmforge.jobs.executor;

import dev.ldmforge.jobs.storage.ObjectStore;
import dev.ldmforge.jobs.storage.S3ObjectStore;
import dev.ldmforge.jobs.storage.S3Settings;
import dev.ldmforge.jobs.storage.Sha256;
import dev.ldmforge.runtime.hub.HubException;
import dev.ldmforge.runtime.hub.HubModelId;
import dev.ldmforge.runtime.hub.HubModels;
import dev.ldmforge.runtime.pipeline.ModelLocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * Turns a model location into something the runtime can open, once per job on the driver ({@link #pin}) and once
 * per node on the executors ({@link #resolve}). {@code demo}, {@code tiny} and local paths pass through.
 * {@code s3://bucket/prefix} (a diffusers folder or one .safetensors file) is copied once per node into a local
 * cache folder: a file lock makes concurrent executors on one node wait for the first copy instead of repeating
 * it; every file's size and recorded sha256 are checked while it streams, before the copy is marked complete.
 * A Hugging Face id {@code ORG/NAME[@REVISION]} is pinned by the driver to the commit its revision names when the
 * job starts, so that every executor loads that one snapshot however the branch moves; an executor reads it from its
 * node's hub cache, or the job's mirror ({@link HubMirror}), or the Hub (the runtime downloads it as it loads).
 */
public final class ModelSource {
    private static final Logger LOG = LoggerFactory.getLogger(ModelSource.class);
    private static final String COMPLETE = ".complete";

    private ModelSource() {
    }

    /**
     * On the driver: a hub id becomes {@code ORG/NAME@COMMIT}, the commit its revision names now (asked of the Hub;
     * offline, of the hub cache or else the mirror's {@code refs/}), and its configs are put in the driver's cache
     * (the job reads the default image size from them). Other locations are returned unchanged.
     */
    public static String pin(String model, HubConf hub, S3Settings s3) {
        Optional<HubModelId> id = ModelLocation.hubId(model);
        if (id.isEmpty()) {
            return model;
        }
        HubModels models = new HubModels(hub.settings());
        String commit;
        try {
            commit = models.commit(id.get());
        } catch (HubException e) {
            if (hub.mirror() == null) {
                throw e;
            }
            commit = HubMirror.commit(hub.mirror(), id.get(), s3).orElseThrow(() -> new HubException(e.getMessage()
                    + "; the mirror " + hub.mirror() + " has no " + id.get().cacheFolderName() + "/refs/"
                    + id.get().revisionOrDefault() + " either", e));
        }
        HubModelId pinned = id.get().at(commit);
        fromMirror(models, pinned, HubModels.Fetch.CONFIGS, hub, s3);
        LOG.info("model {} pinned to {}", model, pinned);
        return pinned.toString();
    }

    /**
     * On an executor: {@code s3://} models are copied to this node's cache folder and their local copy returned; a
     * pinned hub id whose snapshot the node's hub cache lacks is copied there from the job's mirror if it names one.
     */
    public static String resolve(String model, S3Settings s3, Path cacheRoot, HubConf hub) {
        Optional<HubModelId> hubId = ModelLocation.hubId(model).filter(HubModelId::pinned);
        if (hubId.isPresent()) {
            fromMirror(new HubModels(hub.settings()), hubId.get(), HubModels.Fetch.ALL, hub, s3);
            return model;
        }
        if (!model.startsWith("s3://") && !model.startsWith("s3a://")) {
            return model;
        }
        Path dir = cacheRoot.resolve(Sha256.hex(model.getBytes(StandardCharsets.UTF_8)).substring(0, 24));
        try {
            Files.createDirectories(dir);
            try (FileChannel lockFile = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                if (!Files.exists(dir.resolve(COMPLETE))) {
                    copy(model, s3, dir);
                    Files.writeString(dir.resolve(COMPLETE), model + "\n");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot cache model " + model + " in " + dir + ": " + e.getMessage(), e);
        }
        Path single = dir.resolve("model.safetensors");
        return Files.isRegularFile(single) ? single.toString() : dir.resolve("model").toString();
    }

    /** Fills the node's hub cache from the mirror when the job names one and the cache lacks files. */
    private static void fromMirror(HubModels models, HubModelId pinned, HubModels.Fetch fetch, HubConf hub,
                                   S3Settings s3) {
        if (hub.mirror() == null || models.missing(pinned, null, fetch) == null) {
            return;
        }
        try (HubMirror mirror = HubMirror.open(hub.mirror(), pinned, models.cache(), s3)) {
            int copied = models.fill(pinned, null, fetch, mirror);
            LOG.info("{}: {} files copied from the mirror {} into {}", pinned, copied, hub.mirror(),
                    models.cache().snapshot(pinned, pinned.revision()));
        }
    }

    private static void copy(String model, S3Settings s3, Path dir) throws IOException {
        boolean singleFile = model.endsWith(".safetensors");
        URI location = URI.create(singleFile ? model.substring(0, model.lastIndexOf('/')) : model);
        try (ObjectStore store = new S3ObjectStore(location, s3)) {
            List<String> keys = singleFile ? List.of(model.substring(model.lastIndexOf('/') + 1)) : store.list("");
            if (keys.isEmpty()) {
                throw new IOException("no objects under " + model);
            }
            for (String key : keys) {
                Path target = singleFile ? dir.resolve("model.safetensors") : dir.resolve("model").resolve(key);
                Path tmp = target.resolveSibling(target.getFileName() + ".part");
                store.download(key, tmp);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }
}
