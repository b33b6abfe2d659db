package dev.ldmforge.jobs.executor;

import dev.ldmforge.jobs.storage.ObjectStore;
import dev.ldmforge.jobs.storage.S3ObjectStore;
import dev.ldmforge.jobs.storage.S3Settings;
import dev.ldmforge.jobs.storage.Sha256;

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

/**
 * Turns a model location into something the runtime can open: {@code demo}, {@code tiny} and local paths pass through;
 * {@code s3://bucket/prefix} (a diffusers folder or one .safetensors file) is copied once per node into a local
 * cache folder. A file lock makes concurrent executors on one node wait for the first copy instead of repeating
 * it; every file's size and recorded sha256 are checked while it streams, before the copy is marked complete.
 */
public final class ModelSource {
    private static final String COMPLETE = ".complete";

    private ModelSource() {
    }

    public static String resolve(String model, S3Settings s3, Path cacheRoot) {
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
