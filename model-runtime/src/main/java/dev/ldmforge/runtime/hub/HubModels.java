package dev.ldmforge.runtime.hub;

import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.weights.DiffusersFolder;
import dev.ldmforge.runtime.weights.PipelineType;
import dev.ldmforge.runtime.weights.ShardedSafetensors;
import dev.ldmforge.runtime.weights.WeightsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Diffusers pipelines by Hugging Face id, as {@code from_pretrained} finds them: a revision is resolved to a commit
 * (by the Hub, or by the cache's {@code refs/} when offline or when the Hub cannot be reached), and the snapshot of
 * that commit is made to hold the files the pipeline reads ({@link PipelineFiles}), downloading what the cache lacks.
 * A snapshot that already holds them needs no network at all. Downloads are verified (size, and sha256 or git blob
 * id) before they enter the cache, resumed after a dropped connection or a killed process, and done once per node
 * however many threads or JVMs ask at the same time ({@link BlobLock}).
 */
public final class HubModels {
    private static final Logger LOG = LoggerFactory.getLogger(HubModels.class);
    /** Files below this size download without progress lines. */
    private static final long PROGRESS_FROM_BYTES = 1 << 20;

    /** What a snapshot must hold: the configs and tokenizer alone, or the weights too. */
    public enum Fetch { CONFIGS, ALL }

    /** Where a commit's files come from: the Hub, or elsewhere (a copy of a cache in object storage). */
    public interface Source {
        /** The paths of the commit's files, from the repository's root. */
        Set<String> files();

        /**
         * Makes the cache's snapshot of {@code pinned} hold {@code file}, verified before it enters the cache;
         * true if it had to be copied, false if the snapshot held it already.
         */
        boolean copy(HubModelId pinned, String file);
    }

    /** A commit's snapshot folder in the cache; {@code id} names the commit. */
    public record Snapshot(HubModelId id, Path folder) {
        public String commit() {
            return id.revision();
        }
    }

    private final HubSettings settings;
    private final HubCache cache;
    private final HubClient client;

    public HubModels(HubSettings settings) {
        this.settings = settings;
        this.cache = new HubCache(settings.cache());
        this.client = new HubClient(settings);
    }

    public HubSettings settings() {
        return settings;
    }

    public HubCache cache() {
        return cache;
    }

    /** The commit {@code id}'s revision names now (the id's own commit when it names one). */
    public String commit(HubModelId id) {
        return resolve(id).commit();
    }

    /** The snapshot of {@code id}'s commit holding every file {@code fetch} asks for, downloading what is missing. */
    public Snapshot snapshot(HubModelId id, String variant, Fetch fetch) {
        Resolved r = resolve(id);
        HubModelId pinned = id.at(r.commit());
        Snapshot snapshot = new Snapshot(pinned, cache.snapshot(pinned, r.commit()));
        String missing = missing(pinned, variant, fetch);
        if (missing == null) {
            return snapshot;
        }
        if (settings.offline()) {
            throw new HubException("HF_HUB_OFFLINE is set and the cache " + cache.root() + " has no complete "
                    + "snapshot of " + pinned + " (" + missing + "): " + howToFill(id));
        }
        HubClient.RepoInfo info;
        try {
            info = r.info() != null ? r.info() : client.info(pinned, r.commit());
        } catch (HubClient.Unreachable e) {
            throw new HubException(e.getMessage() + "; the cache " + cache.root() + " has no complete snapshot of "
                    + pinned + " (" + missing + ")", e);
        }
        int downloaded = fill(pinned, variant, fetch, new Source() {
            @Override
            public Set<String> files() {
                return info.files();
            }

            @Override
            public boolean copy(HubModelId id, String file) {
                return download(id, file);
            }
        });
        String still = missing(pinned, variant, fetch);
        if (still != null) {
            throw new HubException(pinned + ": the snapshot " + snapshot.folder() + " is still incomplete after the "
                    + "download: " + still);
        }
        LOG.info("{}: {} in {}{}", id, fetch == Fetch.ALL ? "model" : "configs", snapshot.folder(),
                downloaded > 0 ? " (" + downloaded + " files downloaded)" : "");
        return snapshot;
    }

    /**
     * Null when the cache's snapshot of {@code pinned} holds every file the pipeline reads, read from disk alone;
     * else what is missing.
     */
    public String missing(HubModelId pinned, String variant, Fetch fetch) {
        Path folder = cache.snapshot(pinned, pinned.revision());
        if (!Files.isRegularFile(folder.resolve(PipelineFiles.MODEL_INDEX))) {
            return "no " + PipelineFiles.MODEL_INDEX;
        }
        try {
            Set<String> files = listing(folder);
            PipelineType type = DiffusersFolder.readModelIndex(folder);
            for (String file : PipelineFiles.select(pinned.toString(), files, type, variant, fetch)) {
                if (PipelineFiles.isShardIndex(file)) {
                    String dir = file.substring(0, file.lastIndexOf('/') + 1);
                    for (String shard : ShardedSafetensors.shardNames(folder.resolve(file))) {
                        if (!files.contains(dir + shard)) {
                            return "no shard " + dir + shard;
                        }
                    }
                }
            }
            return null;
        } catch (HubException | WeightsException | ConfigException e) {
            return e.getMessage();
        }
    }

    private record Resolved(String commit, HubClient.RepoInfo info) {
    }

    private Resolved resolve(HubModelId id) {
        if (id.pinned()) {
            return new Resolved(id.revision(), null);
        }
        String revision = id.revisionOrDefault();
        if (settings.offline()) {
            return new Resolved(cache.ref(id, revision).orElseThrow(() -> new HubException("HF_HUB_OFFLINE is set "
                    + "and the cache " + cache.root() + " does not know " + id.repo() + "@" + revision + " (no "
                    + cache.repoFolder(id).resolve("refs").resolve(revision) + "): " + howToFill(id))), null);
        }
        try {
            HubClient.RepoInfo info = client.info(id, revision);
            cache.writeRef(id, revision, info.commit());
            return new Resolved(info.commit(), info);
        } catch (HubClient.Unreachable e) {
            Optional<String> cached = cache.ref(id, revision);
            if (cached.isEmpty()) {
                throw new HubException(e.getMessage() + "; the cache " + cache.root() + " does not know " + id.repo()
                        + "@" + revision + " either: " + howToFill(id), e);
            }
            LOG.warn("{}; using the cached {}@{} = {}", e.getMessage(), id.repo(), revision, cached.get());
            return new Resolved(cached.get(), null);
        }
    }

    private String howToFill(HubModelId id) {
        return "fill it on a machine with network (./ldmforge download --model " + id + ", or huggingface-cli "
                + "download " + id.repo() + ") and point HF_HOME or HF_HUB_CACHE at it";
    }

    /**
     * Copies from {@code source} what the snapshot of {@code pinned} lacks of the files the pipeline reads:
     * {@code model_index.json} first (an unsupported pipeline fails before its weights are copied), then configs and
     * tokenizer, then weights, each shard index before its shards. Returns how many files were copied.
     */
    public int fill(HubModelId pinned, String variant, Fetch fetch, Source source) {
        Set<String> repoFiles = source.files();
        if (!repoFiles.contains(PipelineFiles.MODEL_INDEX)) {
            throw new HubException(pinned + " has no " + PipelineFiles.MODEL_INDEX + ": not a diffusers pipeline "
                    + "repository (it has " + preview(repoFiles) + "); load a single-file checkpoint from its local "
                    + ".safetensors file");
        }
        int copied = source.copy(pinned, PipelineFiles.MODEL_INDEX) ? 1 : 0;
        Path folder = cache.snapshot(pinned, pinned.revision());
        PipelineType type = DiffusersFolder.readModelIndex(folder);
        for (String file : PipelineFiles.select(pinned.toString(), repoFiles, type, variant, fetch)) {
            copied += source.copy(pinned, file) ? 1 : 0;
            if (PipelineFiles.isShardIndex(file)) {
                String dir = file.substring(0, file.lastIndexOf('/') + 1);
                for (String shard : ShardedSafetensors.shardNames(folder.resolve(file))) {
                    if (!repoFiles.contains(dir + shard)) {
                        throw new HubException(pinned + ": " + file + " names the shard " + shard + ", which the "
                                + "repository does not have");
                    }
                    copied += source.copy(pinned, dir + shard) ? 1 : 0;
                }
            }
        }
        return copied;
    }

    /** Makes the snapshot hold {@code file}, from the Hub; true if it had to be downloaded. */
    private boolean download(HubModelId pinned, String file) {
        String commit = pinned.revision();
        if (cache.has(pinned, commit, file)) {
            return false;
        }
        HubClient.FileMetadata meta = client.metadata(pinned, commit, file);
        if (meta.commit() != null && !meta.commit().equals(commit)) {
            throw new HubException(file + " of " + pinned + ": the Hub answered for commit " + meta.commit());
        }
        Path blob = cache.blob(pinned, meta.etag());
        boolean downloaded = false;
        if (!Files.isRegularFile(blob)) {
            try (BlobLock ignored = BlobLock.acquire(cache.lockFile(pinned, meta.etag()))) {
                if (!Files.isRegularFile(blob)) { // else another thread or JVM finished it while we waited
                    cache.addBlob(pinned, commit, file, downloadBlob(pinned, file, meta), meta.etag());
                    downloaded = true;
                }
            }
        }
        cache.link(pinned, commit, file, meta.etag());
        return downloaded;
    }

    /** Downloads into {@code blobs/ETAG.incomplete} and verifies it; returns the verified file. */
    private Path downloadBlob(HubModelId pinned, String file, HubClient.FileMetadata meta) {
        Path incomplete = cache.incomplete(pinned, meta.etag());
        try {
            Files.createDirectories(incomplete.getParent());
            BlobDigest digest = new BlobDigest(meta.etag(), meta.size());
            if (!digest.verifiable()) {
                LOG.warn("{} of {}: the ETag {} is neither a sha256 nor a git blob id: only its size is checked",
                        file, pinned, meta.etag());
            }
            client.download(pinned, pinned.revision(), file, meta, incomplete, digest, new DownloadProgress(
                    settings.progress() && meta.size() >= PROGRESS_FROM_BYTES, pinned.repo() + " " + file,
                    meta.size()));
            String mismatch = digest.mismatch();
            if (mismatch != null) {
                Files.deleteIfExists(incomplete);
                throw new HubException(file + " of " + pinned + " failed verification: " + mismatch + "; nothing "
                        + "entered the cache (the Hub, a proxy or the network corrupted it; try again)");
            }
            return incomplete;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot download " + file + " of " + pinned + " into " + incomplete + ": "
                    + e.getMessage(), e);
        }
    }

    /** The files of a snapshot folder whose contents are there (a link to a missing blob does not count). */
    private static Set<String> listing(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).map(p -> folder.relativize(p).toString().replace('\\', '/'))
                    .collect(Collectors.toCollection(TreeSet::new));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + folder + ": " + e.getMessage(), e);
        }
    }

    private static String preview(Set<String> files) {
        List<String> first = files.stream().limit(12).toList();
        return first.isEmpty() ? "no files" : String.join(", ", first) + (files.size() > first.size() ? ", ..." : "");
    }
}
