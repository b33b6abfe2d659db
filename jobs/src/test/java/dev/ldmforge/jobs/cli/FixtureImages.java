package dev.ldmforge.jobs.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.ldmforge.jobs.images.Png;
import dev.ldmforge.runtime.io.Npy;
import dev.ldmforge.runtime.weights.SafetensorsFile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixture README's image tolerances for what the CLI writes: {@code --output-npy} within atol 2e-4 of the
 * reference image, PNGs ±1 on at most 0.1 % of the 8-bit values.
 */
public final class FixtureImages {
    static final double IMAGE_ATOL = 2e-4;

    private FixtureImages() {
    }

    static void assertImageClose(SafetensorsFile refs, NDManager manager, String reference, Path npy, String what) {
        try (NDManager m = manager.newSubManager()) {
            NDArray expected = refs.load(reference, m, DataType.FLOAT32);
            NDArray actual = Npy.read(npy, m);
            assertEquals(expected.getShape(), actual.getShape(), what + ": shape");
            double diff = expected.sub(actual).abs().max().getFloat();
            System.out.printf("%s: image max |diff| %.3g vs %s%n", what, diff, reference);
            assertTrue(diff <= IMAGE_ATOL, what + ": image max |diff| " + diff + " exceeds " + IMAGE_ATOL);
        }
    }

    static void assertPngMatches(Path expectedPng, Path actualPng) throws IOException {
        assertSamePixels(Png.decode(Files.readAllBytes(expectedPng), expectedPng.toString()).pixels(),
                Png.decode(Files.readAllBytes(actualPng), actualPng.toString()).pixels(), actualPng.toString());
    }

    /**
     * The same 8-bit image up to float rounding: ±1 on at most 0.1 % of the values (another thread count, hence
     * another reduction order, may flip a rounding; a real difference, such as a CFG run, differs everywhere).
     */
    public static void assertSamePixels(byte[] expected, byte[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": pixel values");
        int off = 0;
        for (int i = 0; i < expected.length; i++) {
            int d = Math.abs((expected[i] & 0xff) - (actual[i] & 0xff));
            assertTrue(d <= 1, what + ": 8-bit value " + i + " differs by " + d);
            off += d;
        }
        System.out.printf("%s: %d of %d values off by one%n", what, off, expected.length);
        assertTrue(off <= expected.length / 1000, what + ": " + off + " values off by one");
    }
}
