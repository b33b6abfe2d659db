package dev.ldmforge.runtime.nn;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.testing.TensorAssert;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The fused kernel against the textbook formula, softmax(q·kᵀ/sqrt(d) + mask)·v per head, in plain DJL ops. */
class ScaledDotProductAttentionTest {

    @Test
    void fusedKernelEqualsTheExplicitFormula() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            NDArray q = m.randomNormal(new Shape(2, 300, 64));
            NDArray kv = m.randomNormal(new Shape(2, 77, 64));
            NDArray out = ScaledDotProductAttention.attend(q, kv, kv.mul(2), 4, null);
            assertEquals(new Shape(2, 300, 64), out.getShape());
            TensorAssert.assertClose(explicit(q, kv, kv.mul(2), 4, null), out, 1e-5, "cross-attention");
        }
    }

    @Test
    void additiveMaskIsApplied() {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(8);
            NDArray x = m.randomNormal(new Shape(1, 10, 32));
            float[] causal = new float[100];
            for (int i = 0; i < 10; i++) {
                for (int j = i + 1; j < 10; j++) {
                    causal[i * 10 + j] = -Float.MAX_VALUE;
                }
            }
            NDArray mask = m.create(causal, new Shape(10, 10));
            TensorAssert.assertClose(explicit(x, x, x, 2, mask), ScaledDotProductAttention.attend(x, x, x, 2, mask),
                    1e-5, "causal self-attention");
        }
    }

    private static NDArray explicit(NDArray q, NDArray k, NDArray v, int heads, NDArray mask) {
        NDArray qh = heads(q, heads);
        NDArray scores = qh.matMul(heads(k, heads).transpose(0, 1, 3, 2)).div(Math.sqrt(qh.getShape().get(3)));
        NDArray probs = (mask == null ? scores : scores.add(mask)).softmax(-1);
        Shape s = q.getShape();
        return probs.matMul(heads(v, heads)).transpose(0, 2, 1, 3).reshape(s.get(0), s.get(1), -1);
    }

    private static NDArray heads(NDArray x, int heads) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
    }
}
