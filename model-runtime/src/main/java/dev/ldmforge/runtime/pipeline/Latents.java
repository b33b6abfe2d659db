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

    /** The latents of image {@code index} alone, shape [1, C, H, W]. */
    public Latents image(int index) {
        int per = (int) (shape[1] * shape[2] * shape[3]);
        return new Latents(new long[] {1, shape[1], shape[2], shape[3]},
                Arrays.copyOfRange(values, index * per, (index + 1) * per));
    }
}
