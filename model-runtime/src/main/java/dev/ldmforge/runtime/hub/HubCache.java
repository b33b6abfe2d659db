package dev.ldmforge.runtime.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Hugging Face hub cache on disk, in huggingface_hub's layout, so that a cache filled by Python is used as is and
 * what this project downloads is visible to Python tools:
 * <pre>
 * CACHE/models--ORG--NAME/blobs/ETAG                  file contents, named by their ETag (sha256 for LFS files,
 *                                                     the git blob sha1 for the others)
 * CACHE/models--ORG--NAME/blobs/ETAG.incomplete       a download in progress (resumed, never read)
 * CACHE/models--ORG--NAME/refs/REVISION               the commit hash a branch or tag pointed to
 * CACHE/models--ORG--NAME/snapshots/COMMIT/PATH       relative symlink to ../../blobs/ETAG (one ../ per folder)
 * CACHE/.locks/models--ORG--NAME/ETAG.lock            held while a blob is downloaded
 * </pre>
 * A blob enters {@code blobs/} only complete and verified, by an atomic move; a snapshot file exists only once its
 * blob does. Every path is checked to stay inside its folder, whatever the names the Hub or a mirror send.
 */
public final class HubCache {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern ETAG = Pattern.compile("[A-Za-z0-9_.:+=-]{1,128}");

    private final Path root;

    public HubCache(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    public Path repoFolder(HubModelId id) {
        return root.resolve(id.cacheFolderName());
    }

    /** The commit a branch or tag pointed to when it was last resolved here, if the cache knows it. */
    public Optional<String> ref(HubModelId id, String revision) {
        Path file = inside(repoFolder(id).resolve("refs"), revision);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            String commit = Files.readString(file, StandardCharsets.UTF_8).strip();
            return COMMIT.matcher(commit).matches() ? Optional.of(commit) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Records that {@code revision} points to {@code commit} (written whole, then moved into place). */
    public void writeRef(HubModelId id, String revision, String commit) {
        checkCommit(commit);
        if (revision.equals(commit)) {
            return;
        }
        Path file = inside(repoFolder(id).resolve("refs"), revision);
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".ref-", ".tmp");
            Files.writeString(tmp, commit, StandardCharsets.UTF_8);
            move(tmp, file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    public Path snapshot(HubModelId id, String commit) {
        checkCommit(commit);
        return repoFolder(id).resolve("snapshots").resolve(commit);
    }

    /** Where {@code file} (a path inside the repository) of the snapshot at {@code commit} lives. */
    public Path pointer(HubModelId id, String commit, String file) {
        return inside(snapshot(id, commit), file);
    }

    /** Whether the snapshot at {@code commit} has {@code file}, with its blob. */
    public boolean has(HubModelId id, String commit, String file) {
        return Files.isRegularFile(pointer(id, commit, file));
    }

    public Path blob(HubModelId id, String etag) {
        return repoFolder(id).resolve("blobs").resolve(checkEtag(etag));
    }

    public Path incomplete(HubModelId id, String etag) {
        return repoFolder(id).resolve("blobs").resolve(checkEtag(etag) + ".incomplete");
    }

    public Path lockFile(HubModelId id, String etag) {
        return root.resolve(".locks").resolve(id.cacheFolderName()).resolve(checkEtag(etag) + ".lock");
    }

    /**
     * Adds a complete file obtained elsewhere (e.g. a mirror of the cache; the caller verified it) as the blob
     * {@code etag} and links it into the snapshot, under the blob's lock. {@code verified} should come from
     * {@link #newTempBlob}, on the blobs' file system.
     */
    public void store(HubModelId id, String commit, String file, Path verified, String etag) {
        try (BlobLock ignored = BlobLock.acquire(lockFile(id, etag))) {
            addBlob(id, commit, file, verified, etag);
        } finally {
            try {
                Files.deleteIfExists(verified);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete " + verified + ": " + e.getMessage(), e);
            }
        }
    }

    /** An empty temporary file beside the repository's blobs, to be moved into place by {@link #store}. */
    public Path newTempBlob(HubModelId id) {
        Path blobs = repoFolder(id).resolve("blobs");
        try {
            Files.createDirectories(blobs);
            return Files.createTempFile(blobs, ".copy-", ".incomplete");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a file in " + blobs + ": " + e.getMessage(), e);
        }
    }

    /**
     * Moves a complete, verified file into {@code blobs/ETAG} (unless that blob exists already, when the file is
     * dropped) and links it into the snapshot. Call with the blob's lock held.
     */
    void addBlob(HubModelId id, String commit, String file, Path verified, String etag) {
        Path blob = blob(id, etag);
        try {
            Files.createDirectories(blob.getParent());
            if (Files.isRegularFile(blob)) {
                Files.delete(verified);
            } else {
                move(verified, blob);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store " + blob + ": " + e.getMessage(), e);
        }
        link(id, commit, file, etag);
    }

    /** Points the snapshot's {@code file} at {@code blobs/ETAG} by a relative symlink, as huggingface_hub does. */
    public void link(HubModelId id, String commit, String file, String etag) {
        Path pointer = pointer(id, commit, file);
        Path blob = blob(id, etag);
        try {
            Files.createDirectories(pointer.getParent());
            Path target = pointer.getParent().relativize(blob);
            if (Files.isSymbolicLink(pointer) && Files.readSymbolicLink(pointer).equals(target)) {
                return;
            }
            Path tmp = pointer.resolveSibling("." + pointer.getFileName() + "." + ProcessHandle.current().pid() + "."
                    + Thread.currentThread().getId() + ".link");
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, target);
            move(tmp, pointer);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot link " + pointer + " to " + blob + ": " + e.getMessage(), e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** {@code relative} resolved under {@code folder}, refused if it is absolute or climbs out of it. */
    private static Path inside(Path folder, String relative) {
        Path p = folder.resolve(relative).normalize();
        if (relative.isEmpty() || relative.startsWith("/") || relative.contains("\\") || !p.startsWith(folder)
                || p.equals(folder)) {
            throw new HubException("refusing the path " + relative + ": it leaves " + folder);
        }
        return p;
    }

    private static void checkCommit(String commit) {
        if (commit == null || !COMMIT.matcher(commit).matches()) {
            throw new HubException("not a commit hash (40 lower-case hex digits): " + commit);
        }
    }

    private static String checkEtag(String etag) {
        if (etag == null || !ETAG.matcher(etag).matches() || etag.contains("..")) {
            throw new HubException("refusing the ETag " + etag + ": not a plain blob name");
        }
        return etag;
    }
}
