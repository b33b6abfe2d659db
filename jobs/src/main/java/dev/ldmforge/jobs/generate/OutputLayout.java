package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.storage.ObjectStores;

import java.nio.file.Path;

/**
 * Where a run's outputs live, as object-store keys and as Hadoop paths for Spark: {@code s3://} becomes
 * {@code s3a://} (Hadoop's S3 connector), a local folder becomes an absolute {@code file:} URI.
 */
public record OutputLayout(String root, String hadoopRoot) {
    public static final String METADATA = "metadata";
    public static final String DEAD_LETTER = "dead-letter";
    public static final String STAGING = "_staging";
    static final String SUMMARY = "_SUMMARY.json";
    static final String GALLERY = "index.html";

    public static OutputLayout of(String output) {
        String trimmed = output.replaceAll("/+$", "");
        if (ObjectStores.isS3(trimmed)) {
            return new OutputLayout(trimmed, trimmed.replaceFirst("^s3://", "s3a://"));
        }
        Path local = ObjectStores.localPath(trimmed).toAbsolutePath().normalize();
        return new OutputLayout(local.toString(), local.toUri().toString().replaceAll("/+$", ""));
    }

    /** Hadoop location of a prompt dataset: s3:// as s3a://, the rest unchanged. */
    static String hadoopInput(String location) {
        return location.startsWith("s3://") ? "s3a://" + location.substring("s3://".length()) : location;
    }

    public String hadoop(String child) {
        return hadoopRoot + "/" + child;
    }
}
