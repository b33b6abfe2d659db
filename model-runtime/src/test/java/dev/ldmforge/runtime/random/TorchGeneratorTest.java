package dev.ldmforge.runtime.random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.runtime.io.Npz;
import dev.ldmforge.runtime.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bit-exact comparison with torch 1.13's CPU generator (fixtures/rng). */
class TorchGeneratorTest {
    private static NDManager manager;
    private static Map<String, NDArray> refs;
    private static JsonNode cases;

    @BeforeAll
    static void load() throws IOException {
        manager = NDManager.newBaseManager();
        refs = Npz.read(Fixtures.path("rng/torch-randn.npz"), manager);
        cases = new ObjectMapper().readTree(Fixtures.path("rng/torch-randn.json").toFile()).get("cases");
    }

    @AfterAll
    static void close() {
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void randnFirstAndSecondDrawAreBitExactForAllSeedsAndShapes() {
        assertEquals(72, cases.size());
        for (JsonNode c : cases) {
            long seed = Long.parseUnsignedLong(c.get("seed").asText());
            long[] dims = new long[c.get("shape").size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = c.get("shape").get(i).asLong();
            }
            Shape shape = new Shape(dims);
            NDList drawn = TorchGenerator.randn(seed, List.of(shape, shape), manager);
            assertBits(refs.get(c.get("first").asText()), drawn.get(0), c.get("first").asText());
            assertBits(refs.get(c.get("second").asText()), drawn.get(1), c.get("second").asText());
        }
    }

    @Test
    void randMatchesTorchRand() {
        for (long seed : new long[] {0, 42}) {
            NDArray drawn = TorchGenerator.rand(seed, List.of(new Shape(20)), manager).get(0);
            assertBits(refs.get("rand.seed" + seed + ".shape20"), drawn, "rand seed " + seed);
        }
    }

    @Test
    void concurrentSequencesDoNotInterleave() throws Exception {
        Shape shape = new Shape(1, 4, 8, 8);
        NDArray first = refs.get("randn.seed42.shape1x4x8x8.first");
        NDArray second = refs.get("randn.seed42.shape1x4x8x8.second");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[][]>> results = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                long seed = i % 2 == 0 ? 42 : 1;
                results.add(pool.submit(() -> {
                    try (NDManager local = NDManager.newBaseManager()) {
                        NDList d = TorchGenerator.randn(seed, List.of(shape, shape), local);
                        return new float[][] {d.get(0).toFloatArray(), d.get(1).toFloatArray()};
                    }
                }));
            }
            for (int i = 0; i < results.size(); i += 2) {
                float[][] r = results.get(i).get();
                assertArrayEquals(first.toFloatArray(), r[0]);
                assertArrayEquals(second.toFloatArray(), r[1]);
            }
        } finally {
            pool.shutdown();
        }
    }

    private static void assertBits(NDArray expected, NDArray actual, String what) {
        assertEquals(expected.getShape(), actual.getShape(), what + " shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            if (Float.floatToRawIntBits(e[i]) != Float.floatToRawIntBits(a[i])) {
                throw new AssertionError(what + "[" + i + "]: expected " + e[i] + " got " + a[i]);
            }
        }
    }
}
