package dev.ldmforge.runtime.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** NumPy's {@code .npz}: a zip of {@code .npy} entries; keys are the entry names without {@code .npy}. */
public final class Npz {
    private Npz() {
    }

    public static Map<String, NDArray> read(Path file, NDManager manager) {
        Map<String, NDArray> arrays = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                String name = entry.getName();
                if (entry.isDirectory() || !name.endsWith(".npy")) {
                    throw new NpyFormatException(file + ": entry " + name + " is not a .npy array");
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    arrays.put(name.substring(0, name.length() - 4), Npy.read(in, file + "!" + name, manager));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read .npz: " + e.getMessage(), e);
        }
        return arrays;
    }
}
