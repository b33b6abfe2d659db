package dev.ldmforge.jobs.output;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Builds one WebDataset tar shard in a local temporary folder: samples arrive in any order (the generation stage
 * groups work by model), their images are spooled to disk, and {@link #finish} writes the tar with the samples in
 * key order, each as {@code {key}.{ext}}, {@code {key}.txt} (the prompt) and {@code {key}.json} (its metadata
 * record). POSIX ustar/pax, mode 0644, owner 0, mtime 0: the same samples give the same bytes.
 */
public final class ShardWriter implements AutoCloseable {
    private final Path dir;
    private final String extension;
    private final Map<String, String[]> texts = new TreeMap<>();

    public ShardWriter(String extension) {
        this.extension = extension;
        try {
            this.dir = Files.createTempDirectory("ldmforge-shard-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary folder for a shard: " + e.getMessage(), e);
        }
    }

    public void add(String key, byte[] image, String prompt, String json) {
        try {
            Files.write(dir.resolve(key + "." + extension), image);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spool sample " + key + ": " + e.getMessage(), e);
        }
        texts.put(key, new String[] {prompt, json});
    }

    public int samples() {
        return texts.size();
    }

    /** Writes the tar and returns its path (inside this writer's folder, deleted by {@link #close}). */
    public Path finish() {
        Path tar = dir.resolve("shard.tar");
        try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tar), 1 << 16);
             TarArchiveOutputStream out = new TarArchiveOutputStream(file)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Map.Entry<String, String[]> e : texts.entrySet()) {
                String key = e.getKey();
                Path image = dir.resolve(key + "." + extension);
                entry(out, key + "." + extension, Files.readAllBytes(image));
                Files.delete(image);
                entry(out, key + ".txt", e.getValue()[0].getBytes(StandardCharsets.UTF_8));
                entry(out, key + ".json", e.getValue()[1].getBytes(StandardCharsets.UTF_8));
            }
            out.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write shard tar: " + e.getMessage(), e);
        }
        return tar;
    }

    private static void entry(TarArchiveOutputStream out, String name, byte[] data) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(data.length);
        entry.setMode(0100644);
        entry.setModTime(0L);
        entry.setUserId(0);
        entry.setGroupId(0);
        out.putArchiveEntry(entry);
        out.write(data);
        out.closeArchiveEntry();
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover temporary folder is harmless
        }
    }
}
