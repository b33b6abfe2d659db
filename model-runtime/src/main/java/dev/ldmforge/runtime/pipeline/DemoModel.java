package dev.ldmforge.runtime.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * The built-in {@code demo} model: a small LDM this project trained itself ({@code ./ldmforge train-demo}) on
 * pictures of coloured shapes, shipped inside the runtime jar as a diffusers folder. The loaders read weights through
 * memory maps, so the folder is extracted once per machine and version into a cache folder (checked against the
 * sha256 of every file in the shipped {@code MANIFEST.tsv}) and then opened like any other model. Executors get it
 * from their classpath: nothing is downloaded.
 */
public final class DemoModel {
    public static final String ID = "demo";
    private static final String RESOURCES = "/dev/ldmforge/runtime/demo/model/";
    private static final String MANIFEST = "MANIFEST.tsv";
    /** Where extracted copies live: {@code -Dldmforge.cache.dir}, else a folder in the temporary directory. */
    private static final String CACHE_PROPERTY = "ldmforge.cache.dir";

    private DemoModel() {
    }

    /** The extracted model folder, extracting it first if this machine has no verified copy. */
    public static synchronized Path folder() {
        String manifest = resource(MANIFEST);
        Path target = cacheRoot().resolve("demo-" + sha256(manifest.getBytes(StandardCharsets.UTF_8))
                .substring(0, 16));
        if (Files.isRegularFile(target.resolve(MANIFEST))) {
            return target;
        }
        try {
            Files.createDirectories(target.getParent());
            Path staging = Files.createTempDirectory(target.getParent(), "demo-extracting-");
            try {
                for (String line : manifest.split("\n")) {
                    if (!line.isBlank()) {
                        extract(line.split("\t"), staging);
                    }
                }
                // The manifest last: its presence marks a complete copy.
                Files.writeString(staging.resolve(MANIFEST), manifest);
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                // Another process on this machine finished first; its copy is the same.
                if (!Files.isRegularFile(target.resolve(MANIFEST))) {
                    throw e;
                }
            } finally {
                deleteRecursively(staging);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the demo model to " + target + ": " + e.getMessage(), e);
        }
        return target;
    }

    /** Copies one manifest entry ({@code path, size, sha256}) and checks both. */
    private static void extract(String[] entry, Path staging) throws IOException {
        String path = entry[0];
        Path file = staging.resolve(path).normalize();
        if (entry.length != 3 || !file.startsWith(staging)) {
            throw new IOException("malformed manifest line: " + String.join("\t", entry));
        }
        Files.createDirectories(file.getParent());
        MessageDigest digest = newDigest();
        try (InputStream in = new DigestInputStream(open(path), digest)) {
            long size = Files.copy(in, file);
            String sha = HexFormat.of().formatHex(digest.digest());
            if (size != Long.parseLong(entry[1]) || !sha.equals(entry[2])) {
                throw new IOException("built-in demo model file " + path + " is damaged: " + size + " bytes, sha256 "
                        + sha + "; the manifest says " + entry[1] + " bytes, sha256 " + entry[2]);
            }
        }
    }

    private static Path cacheRoot() {
        String configured = System.getProperty(CACHE_PROPERTY);
        return configured != null ? Path.of(configured)
                : Path.of(System.getProperty("java.io.tmpdir"), "ldmforge-" + System.getProperty("user.name"));
    }

    private static InputStream open(String path) throws IOException {
        InputStream in = DemoModel.class.getResourceAsStream(RESOURCES + path);
        if (in == null) {
            throw new IOException("the built-in demo model's " + path + " is missing from the classpath");
        }
        return in;
    }

    private static String resource(String path) {
        try (InputStream in = open(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(newDigest().digest(bytes));
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
