package dev.ldmforge.jobs.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A local folder. Conditional writes go to a temporary file that is then hard-linked into place: {@code link(2)}
 * fails when the target exists, so exactly one writer wins, and readers never see a partial file.
 */
public final class LocalObjectStore implements ObjectStore {
    private final Path root;

    public LocalObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public PutResult putIfAbsent(String key, byte[] data, String contentType) {
        Path target = resolve(key);
        Path tmp = writeTemp(target, data);
        try {
            Files.createLink(target, tmp);
            return new PutResult(true, Sha256.hex(data), uri(key));
        } catch (FileAlreadyExistsException e) {
            return new PutResult(false, Sha256.hex(read(target)), uri(key));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    public PutResult putFileIfAbsent(String key, Path file, String contentType) {
        Path target = resolve(key);
        Path tmp = target.resolveSibling(".tmp-" + target.getFileName() + "-" + UUID.randomUUID());
        try {
            Files.createDirectories(target.getParent());
            Files.copy(file, tmp);
            Files.createLink(target, tmp);
            return new PutResult(true, Sha256.hex(file), uri(key));
        } catch (FileAlreadyExistsException e) {
            return new PutResult(false, sha256(key).orElseThrow(), uri(key));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    @Override
    public void put(String key, byte[] data, String contentType) {
        Path target = resolve(key);
        Path tmp = writeTemp(target, data);
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(resolve(key));
    }

    @Override
    public Optional<String> sha256(String key) {
        Path p = resolve(key);
        try {
            return Files.isRegularFile(p) ? Optional.of(Sha256.hex(p)) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<byte[]> get(String key) {
        Path p = resolve(key);
        return Files.isRegularFile(p) ? Optional.of(read(p)) : Optional.empty();
    }

    @Override
    public String download(String key, Path target) {
        Path source = resolve(key);
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            return Sha256.hex(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source + " to " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> list(String prefix) {
        Path dir = resolve(prefix);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith(".tmp-"))
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String uri(String key) {
        return resolve(key).toString();
    }

    @Override
    public void close() {
        // nothing held open
    }

    private Path resolve(String key) {
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException("object key escapes the output folder: " + key);
        }
        return p;
    }

    private static Path writeTemp(Path target, byte[] data) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = target.resolveSibling(".tmp-" + target.getFileName() + "-" + UUID.randomUUID());
            Files.write(tmp, data);
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write under " + target.getParent() + ": " + e.getMessage(), e);
        }
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover .tmp- file is skipped by list() and harmless
        }
    }
}
