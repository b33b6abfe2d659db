package dev.ldmforge.jobs.storage;

import java.net.URI;
import java.nio.file.Path;

/** Opens the store a location names: {@code s3://bucket/prefix} (or s3a://), {@code file://…} or a plain path. */
public final class ObjectStores {
    private ObjectStores() {
    }

    public static ObjectStore open(String location, S3Settings s3) {
        if (isS3(location)) {
            return new S3ObjectStore(URI.create(location), s3);
        }
        return new LocalObjectStore(localPath(location));
    }

    public static boolean isS3(String location) {
        return location.startsWith("s3://") || location.startsWith("s3a://");
    }

    public static Path localPath(String location) {
        return location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
    }
}
