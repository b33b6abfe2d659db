package dev.ldmforge.jobs.generate;

import dev.ldmforge.jobs.storage.ObjectStores;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The prefixes a request's {@code init_image_uri} must lie under: by default the folder (or bucket prefix) of the
 * prompts dataset, more with {@code --allow-init-images}. Local locations are compared as normalised absolute paths
 * on path-segment boundaries, first lexically (a location outside is refused without touching it), then by real path
 * (so neither {@code ..} nor a symlink escapes); {@code s3://} and {@code s3a://} on bucket and key-prefix boundaries.
 *
 * @param localPrefixes normalised absolute folders, and their real paths
 * @param s3Prefixes    {@code bucket/key-prefix/} (an empty key prefix allows the whole bucket)
 */
public record AllowedLocations(List<String> localPrefixes, List<String> s3Prefixes) implements Serializable {

    public AllowedLocations {
        localPrefixes = List.copyOf(localPrefixes);
        s3Prefixes = List.copyOf(s3Prefixes);
    }

    /**
     * The folder or bucket prefix of {@code prompts} (a file's parent, a folder itself; none for a Kafka topic) plus
     * each {@code --allow-init-images} prefix; throws IllegalArgumentException naming a prefix that is no location.
     */
    public static AllowedLocations of(String prompts, List<String> allowed) {
        List<String> local = new ArrayList<>();
        List<String> s3 = new ArrayList<>();
        if (prompts != null && !prompts.startsWith("kafka:")) {
            add(datasetFolder(prompts), local, s3);
        }
        for (String prefix : allowed) {
            if (prefix.isBlank()) {
                throw new IllegalArgumentException("--allow-init-images: an empty prefix");
            }
            add(prefix, local, s3);
        }
        return new AllowedLocations(local, s3);
    }

    /** The folder a prompts file or folder stands for. */
    private static String datasetFolder(String prompts) {
        if (ObjectStores.isS3(prompts)) {
            String last = prompts.substring(prompts.lastIndexOf('/') + 1);
            boolean file = last.contains(".") && prompts.indexOf('/', prompts.indexOf("://") + 3) > 0;
            return file ? prompts.substring(0, prompts.lastIndexOf('/') + 1) : prompts;
        }
        Path p = ObjectStores.localPath(prompts).toAbsolutePath().normalize();
        return Files.isDirectory(p) || p.getParent() == null ? p.toString() : p.getParent().toString();
    }

    private static void add(String prefix, List<String> local, List<String> s3) {
        if (ObjectStores.isS3(prefix)) {
            S3Location s = S3Location.parse(prefix).orElseThrow(() -> new IllegalArgumentException(
                    "--allow-init-images: not an s3://bucket/prefix location: " + prefix));
            s3.add(s.bucket() + "/" + (s.key().isEmpty() || s.key().endsWith("/") ? s.key() : s.key() + "/"));
            return;
        }
        Path p;
        try {
            p = ObjectStores.localPath(prefix).toAbsolutePath().normalize();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--allow-init-images: not a path: " + prefix, e);
        }
        local.add(p.toString());
        try {
            String real = p.toRealPath().toString();
            if (!local.contains(real)) {
                local.add(real);
            }
        } catch (IOException e) {
            // not there (yet): its lexical form alone
        }
    }

    /** Why {@code uri} is refused, or empty when it lies under an allowed prefix. */
    public Optional<String> refusal(String uri) {
        if (ObjectStores.isS3(uri)) {
            Optional<S3Location> s = S3Location.parse(uri);
            if (s.isEmpty() || s.get().key().isEmpty()) {
                return Optional.of("init_image_uri: " + uri + " is not an s3://bucket/key location");
            }
            String target = s.get().bucket() + "/" + s.get().key();
            return s3Prefixes.stream().anyMatch(target::startsWith) ? Optional.empty()
                    : Optional.of(outside(uri));
        }
        if (uri.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*") && !uri.startsWith("file:")) {
            return Optional.of("init_image_uri: " + uri + " has a scheme other than file:, s3: or s3a:");
        }
        Path p;
        try {
            p = ObjectStores.localPath(uri).toAbsolutePath().normalize();
        } catch (IllegalArgumentException e) {
            return Optional.of("init_image_uri: " + uri + " is not a valid path: " + e.getMessage());
        }
        if (!under(p)) {
            return Optional.of(outside(uri));
        }
        try {
            if (Files.exists(p) && !under(p.toRealPath())) {
                return Optional.of("init_image_uri: " + uri + " resolves (through a symbolic link) to a location "
                        + "outside the allowed prefixes " + describe());
            }
        } catch (IOException e) {
            return Optional.empty(); // unreadable: the bounded read reports why
        }
        return Optional.empty();
    }

    private boolean under(Path p) {
        return localPrefixes.stream().anyMatch(prefix -> p.startsWith(Path.of(prefix)));
    }

    private String outside(String uri) {
        return "init_image_uri: " + uri + " is outside the allowed prefixes " + describe()
                + " (the prompts' folder and --allow-init-images)";
    }

    /** The prefixes as a user wrote them, for messages. */
    public String describe() {
        List<String> all = new ArrayList<>(localPrefixes);
        s3Prefixes.forEach(p -> all.add("s3://" + p));
        return all.toString();
    }

    /** An s3:// or s3a:// location without {@code .} or {@code ..} key segments, which some clients collapse. */
    record S3Location(String bucket, String key) {
        static Optional<S3Location> parse(String location) {
            int start = location.indexOf("://") + 3;
            int slash = location.indexOf('/', start);
            String bucket = slash < 0 ? location.substring(start) : location.substring(start, slash);
            String key = slash < 0 ? "" : location.substring(slash + 1);
            if (bucket.isEmpty() || !bucket.matches("[a-z0-9][a-z0-9.-]*")) {
                return Optional.empty();
            }
            for (String segment : key.split("/", -1)) {
                if (segment.equals("..") || segment.equals(".")) {
                    return Optional.empty();
                }
            }
            if (key.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
                return Optional.empty();
            }
            return Optional.of(new S3Location(bucket, key));
        }
    }
}
