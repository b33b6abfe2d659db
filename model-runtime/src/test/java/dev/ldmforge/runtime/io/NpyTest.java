package dev.ldmforge.runtime.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipFile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsEveryDtypeAndWritesNumpysHeader() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray[] arrays = {
                m.arange(24f).reshape(2, 3, 4), m.create(new double[] {1.5, -2.25}), m.create(new long[] {7, -8, 9}),
                m.create(3.5f).reshape(new Shape())};
            for (NDArray a : arrays) {
                Path f = dir.resolve("a.npy");
                Npy.write(f, a);
                byte[] bytes = Files.readAllBytes(f);
                int headerEnd = 10 + (bytes[8] & 0xff);
                assertEquals(0, headerEnd % 64, "data aligned to 64 bytes");
                NDArray back = Npy.read(f, m);
                assertEquals(a.getShape(), back.getShape());
                assertEquals(a.getDataType(), back.getDataType());
                assertArrayEquals(a.toByteArray(), back.toByteArray());
            }
            Npy.write(dir.resolve("v.npy"), m.create(new float[] {1, 2}));
            byte[] v = Files.readAllBytes(dir.resolve("v.npy"));
            String header = new String(v, 10, v[8] & 0xff, StandardCharsets.ISO_8859_1);
            assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }  "), header);
            assertTrue(header.endsWith(" \n"), header);
        }
    }

    @Test
    void refusesInvalidFiles() throws IOException {
        try (NDManager m = NDManager.newBaseManager()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Npy.write(out, m.create(new float[] {1, 2, 3}));
            byte[] good = out.toByteArray();
            byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
            assertThrows(NpyFormatException.class, () -> read(truncated, m));
            byte[] bigEndian = good.clone();
            bigEndian[21] = '>';
            String msg = assertThrows(NpyFormatException.class, () -> read(bigEndian, m)).getMessage();
            assertTrue(msg.contains("'>f4'"), msg);
            byte[] fortran = new String(good, StandardCharsets.ISO_8859_1).replace("False", "True ")
                    .getBytes(StandardCharsets.ISO_8859_1);
            assertThrows(NpyFormatException.class, () -> read(fortran, m));
            assertThrows(NpyFormatException.class, () -> read("not numpy".getBytes(StandardCharsets.UTF_8), m));
            Files.write(dir.resolve("bad.npy"), truncated);
            String named = assertThrows(NpyFormatException.class, () -> Npy.read(dir.resolve("bad.npy"), m))
                    .getMessage();
            assertTrue(named.contains("bad.npy"), named);
        }
    }

    private static NDArray read(byte[] bytes, NDManager m) throws IOException {
        return Npy.read(new ByteArrayInputStream(bytes), "test", m);
    }

    /** The writer is byte-identical to numpy's np.save for the numpy-written entries of the rng fixture. */
    @Test
    void rewritesNumpyFilesByteForByte() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
             ZipFile zip = new ZipFile(Fixtures.path("rng/torch-randn.npz").toFile())) {
            for (String name : new String[] {"randn.seed0.shape1.first.npy", "randn.seed42.shape1x4x8x8.first.npy",
                "randn_f64.seed0.shape20.npy"}) {
                byte[] original = zip.getInputStream(zip.getEntry(name)).readAllBytes();
                NDArray a = read(original, m);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                Npy.write(out, a);
                assertArrayEquals(original, out.toByteArray(), name);
            }
        }
    }
}
