package dev.ldmforge.jobs.executor;

import dev.ldmforge.jobs.storage.ObjectStore;
import dev.ldmforge.jobs.storage.S3ObjectStore;
import dev.ldmforge.jobs.storage.S3Settings;
import dev.ldmforge.runtime.hub.HubCache;
import dev.ldmforge.runtime.hub.HubException;
import dev.ldmforge.runtime.hub.HubModelId;
import dev.ldmforge.runtime.hub.HubModels;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A copy of a Hugging Face hub cache in S3, for nodes without network: {@code aws s3 sync ~/.cache/huggingface/hub
 * s3://bucket/hub} uploads {@code models--ORG--NAME/refs/REVISION} and the snapshot files
 * {@code models--ORG--NAME/snapshots/COMMIT/PATH} (sync follows the symlinks; excluding {@code blobs/} halves the
 * upload). The files a pipeline reads are copied into the node's hub cache as huggingface_hub would have stored
 * them, a blob named by its sha256 behind a snapshot link, so later runs and Python tools find them there.
 */
final class HubMirror implements HubModels.Source, AutoCloseable {
    private final ObjectStore snapshot;
    private final HubCache cache;

    private HubMirror(ObjectStore snapshot, HubCache cache) {
        this.snapshot = snapshot;
        this.cache = cache;
    }

    /** The mirror's snapshot of {@code pinned} (an {@code ORG/NAME@COMMIT}). */
    static HubMirror open(String mirror, HubModelId pinned, HubCache cache, S3Settings s3) {
        return new HubMirror(new S3ObjectStore(URI.create(mirror + "/" + pinned.cacheFolderName() + "/snapshots/"
                + pinned.revision()), s3), cache);
    }

    /** The commit the mirror's {@code refs/} gives a revision, if it has one. */
    static Optional<String> commit(String mirror, HubModelId id, S3Settings s3) {
        try (ObjectStore refs = new S3ObjectStore(URI.create(mirror + "/" + id.cacheFolderName() + "/refs"), s3)) {
            return refs.get(id.revisionOrDefault()).map(b -> new String(b, StandardCharsets.UTF_8).strip())
                    .filter(HubModelId::isCommitHash);
        }
    }

    @Override
    public Set<String> files() {
        Set<String> files = new TreeSet<>(snapshot.list(""));
        if (files.isEmpty()) {
            throw new HubException("the mirror " + snapshot.uri("") + " holds no snapshot");
        }
        return files;
    }

    @Override
    public boolean copy(HubModelId pinned, String file) {
        if (cache.has(pinned, pinned.revision(), file)) {
            return false;
        }
        Path tmp = cache.newTempBlob(pinned);
        String sha256;
        try {
            sha256 = snapshot.download(file, tmp);
        } catch (RuntimeException e) {
            tmp.toFile().delete();
            throw e;
        }
        cache.store(pinned, pinned.revision(), file, tmp, sha256);
        return true;
    }

    @Override
    public void close() {
        snapshot.close();
    }
}
