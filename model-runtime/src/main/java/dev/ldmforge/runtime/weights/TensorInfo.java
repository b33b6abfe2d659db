package dev.ldmforge.runtime.weights;

import java.util.Arrays;

/** Shape and stored dtype of one tensor, without its data. */
public record TensorInfo(String key, StoredDtype dtype, long[] shape) {

    public long numel() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    public long byteLength() {
        return numel() * dtype.bytes();
    }

    @Override
    public String toString() {
        return key + " " + dtype + Arrays.toString(shape);
    }
}
