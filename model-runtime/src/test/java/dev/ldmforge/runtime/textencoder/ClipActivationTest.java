package dev.ldmforge.runtime.textencoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.ldmforge.runtime.testing.TensorAssert;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipActivationTest {

    @Test
    void geluIsTheExactErfFormNotTheTanhApproximation() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.linspace(-6f, 6f, 1201);
            NDArray exact = x.mul(0.5).mul(x.div(Math.sqrt(2)).erf().add(1));
            NDArray tanh = x.mul(0.5).mul(x.add(x.pow(3).mul(0.044715)).mul(Math.sqrt(2 / Math.PI)).tanh().add(1));
            NDArray gelu = ClipActivation.GELU.apply(x);
            System.out.printf("gelu vs erf form %.3g, vs tanh form %.3g%n", TensorAssert.maxAbsDiff(exact, gelu),
                    TensorAssert.maxAbsDiff(tanh, gelu));
            TensorAssert.assertClose(exact, gelu, 1e-6, "gelu vs 0.5x(1+erf(x/sqrt2))");
            assertTrue(TensorAssert.maxAbsDiff(tanh, gelu) > 1e-4, "distinguishable from the tanh form");
        }
    }

    @Test
    void quickGelu() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {-2f, 0f, 1f});
            float[] y = ClipActivation.QUICK_GELU.apply(x).toFloatArray();
            assertEquals(-2 / (1 + Math.exp(2 * 1.702)), y[0], 1e-6);
            assertEquals(0, y[1], 0);
            assertEquals(1 / (1 + Math.exp(-1.702)), y[2], 1e-6);
        }
    }
}
