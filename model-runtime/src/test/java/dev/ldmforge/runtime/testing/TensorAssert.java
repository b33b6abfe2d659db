package dev.ldmforge.runtime.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import org.junit.jupiter.api.Assertions;

/** Element-wise comparison with the fixture tolerances: max |expected - actual| <= atol, shapes equal. */
public final class TensorAssert {
    private TensorAssert() {
    }

    public static double maxAbsDiff(NDArray expected, NDArray actual) {
        float[] e = expected.toType(DataType.FLOAT32, false).toFloatArray();
        float[] a = actual.toType(DataType.FLOAT32, false).toFloatArray();
        Assertions.assertEquals(e.length, a.length, "element count");
        double max = 0;
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs((double) e[i] - a[i]);
            if (Double.isNaN(d)) {
                return Double.NaN;
            }
            max = Math.max(max, d);
        }
        return max;
    }

    public static void assertClose(NDArray expected, NDArray actual, double atol, String what) {
        Assertions.assertEquals(expected.getShape(), actual.getShape(), what + ": shape");
        double diff = maxAbsDiff(expected, actual);
        Assertions.assertTrue(diff <= atol, what + ": max |diff| " + diff + " exceeds " + atol);
    }
}
