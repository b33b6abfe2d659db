package dev.ldmforge.runtime.pipeline;

import java.util.Arrays;

/** Explicit initial latents, float32 NCHW, as diffusers' {@code latents=} argument (N = images of the request). */
public record Latents(long[] shape, float[] values) {
    public Latents {
        if (shape.length != 4) {
            throw new IllegalArgumentException("latents must be NCHW (4 dimensions), got shape "
                    + Arrays.toString(shape));
        }
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != values.length) {
            throw new IllegalArgumentException("latents shape " + Arrays.toString(shape) + " needs " + n
                    + " values, got " + values.length);
        }
    }
}
