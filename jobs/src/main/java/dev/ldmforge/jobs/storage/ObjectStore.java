package dev.ldmforge.jobs.storage;

import java.io.Serializable;
import java.util.List;
import java.util.Optional;

/**
 * Where images and job reports land: a local folder or an S3 bucket prefix. Keys are relative paths with '/'.
 * Image writes use {@link #putIfAbsent}: atomic and conditional, so a retried or duplicated task never replaces an
 * image that already exists; the existing object wins and its hash is reported.
 */
public interface ObjectStore extends AutoCloseable {

    /** Writes {@code data} at {@code key} unless an object already exists there. */
    PutResult putIfAbsent(String key, byte[] data, String contentType);

    /**
     * {@link #putIfAbsent} for a local file too large for a byte array (a WebDataset shard of thousands of images):
     * the object appears complete or not at all.
     */
    PutResult putFileIfAbsent(String key, java.nio.file.Path file, String contentType);

    /** Writes or replaces {@code key} atomically (reports such as _SUMMARY.json and index.html). */
    void put(String key, byte[] data, String contentType);

    boolean exists(String key);

    /** The sha256 of the object at {@code key}, or empty when there is none (cheap where the store recorded it). */
    Optional<String> sha256(String key);

    Optional<byte[]> get(String key);

    /**
     * Streams {@code key} into {@code target} (large model files do not fit in a byte array) and verifies the size
     * and, where the store recorded one, the sha256. Returns the sha256 of what was written.
     */
    String download(String key, java.nio.file.Path target);

    /** Keys under {@code prefix}, recursively. */
    List<String> list(String prefix);

    /** The address a reader would use: an absolute file path or {@code s3://bucket/prefix/key}. */
    String uri(String key);

    @Override
    void close();

    /** Outcome of a conditional put: whether this call created the object, and the stored object's sha256. */
    record PutResult(boolean created, String sha256, String uri) implements Serializable {
    }
}
