package dev.ldmforge.jobs.report;

import dev.ldmforge.jobs.storage.ObjectStores;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Links from a page at the output root to objects stored under it. Relative links work both in a local output
 * folder and in a copy of an s3:// output synced down, whatever the absolute location was.
 */
public final class RelativeLinks {
    private static final String UNRESERVED =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

    private RelativeLinks() {
    }

    /**
     * The path of {@code storedUri} (an {@code ObjectStore.uri}: an absolute file path or {@code s3://bucket/key})
     * relative to {@code outputRoot} (the job's output location as given: a path, {@code file:} URI or
     * {@code s3://} / {@code s3a://} URI), with '/' separators: {@code images/ab/r-1_0.png}.
     *
     * @throws IllegalArgumentException when the object is not under the output root
     */
    public static String relativePath(String outputRoot, String storedUri) {
        String relative = ObjectStores.isS3(outputRoot) ? s3Relative(outputRoot, storedUri)
                : localRelative(outputRoot, storedUri);
        if (relative == null || relative.isEmpty()) {
            throw new IllegalArgumentException("stored object " + storedUri + " is not under the output root "
                    + outputRoot);
        }
        return relative;
    }

    /** A relative path as a URL path: every segment percent-encoded (UTF-8), RFC 3986 unreserved characters kept. */
    public static String href(String relativePath) {
        StringBuilder out = new StringBuilder();
        for (byte b : relativePath.getBytes(StandardCharsets.UTF_8)) {
            if (b == '/' || UNRESERVED.indexOf(b) >= 0) {
                out.append((char) b);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xf, 16)))
                        .append(Character.toUpperCase(Character.forDigit(b & 0xf, 16)));
            }
        }
        return out.toString();
    }

    private static String s3Relative(String outputRoot, String storedUri) {
        if (!ObjectStores.isS3(storedUri)) {
            return null;
        }
        String root = s3BucketAndPrefix(outputRoot);
        String object = s3BucketAndPrefix(storedUri);
        return object.startsWith(root + "/") ? object.substring(root.length() + 1) : null;
    }

    /** "bucket/prefix": no scheme, no outer slashes, so s3:// and s3a:// and a trailing '/' compare equal. */
    private static String s3BucketAndPrefix(String location) {
        return location.substring(location.indexOf("://") + 3).replaceAll("^/+|/+$", "");
    }

    private static String localRelative(String outputRoot, String storedUri) {
        if (ObjectStores.isS3(storedUri)) {
            return null;
        }
        Path root = ObjectStores.localPath(outputRoot).toAbsolutePath().normalize();
        Path object = ObjectStores.localPath(storedUri).toAbsolutePath().normalize();
        return object.startsWith(root) ? root.relativize(object).toString().replace('\\', '/') : null;
    }
}
