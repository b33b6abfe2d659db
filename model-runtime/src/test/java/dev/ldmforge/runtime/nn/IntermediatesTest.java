package dev.ldmforge.runtime.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class IntermediatesTest {

    @Test
    void keepsTheResultAndTheInputsAndFreesTheRest() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {1, 2});
            NDArray b = m.create(new float[] {3, 4});
            NDArray[] intermediate = new NDArray[1];
            NDArray out = Intermediates.freedAfter(() -> {
                intermediate[0] = a.mul(b);
                return intermediate[0].add(a);
            }, a, b, a, null);
            assertArrayEquals(new float[] {4, 10}, out.toFloatArray());
            assertEquals(m, out.getManager());
            assertEquals(m, a.getManager());
            assertFalse(a.isReleased() || b.isReleased(), "inputs stay alive, also when passed twice");
            assertEquals(3, m.getManagedArrays().size(), "a, b and the result");
        }
    }
}
