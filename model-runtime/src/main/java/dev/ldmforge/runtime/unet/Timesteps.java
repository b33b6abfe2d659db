package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * diffusers' {@code Timesteps} ({@code get_timestep_embedding}): sinusoidal features of a (possibly fractional)
 * timestep per batch element, frequencies exp(-ln(10000)·i / (dim/2 - freq_shift)), computed in float32 as diffusers
 * does; [sin, cos], or [cos, sin] with {@code flip_sin_to_cos}.
 */
public final class Timesteps {
    private static final double MAX_PERIOD = 10000;

    private final int dim;
    private final boolean flipSinToCos;
    private final double freqShift;

    public Timesteps(int dim, boolean flipSinToCos, double freqShift) {
        this.dim = dim;
        this.flipSinToCos = flipSinToCos;
        this.freqShift = freqShift;
    }

    /** timesteps [B] of any numeric type -> [B, dim] float32. */
    public NDArray forward(NDArray timesteps) {
        int half = dim / 2;
        NDArray exponent = timesteps.getManager().arange(0f, half, 1f, DataType.FLOAT32)
                .mul((float) -Math.log(MAX_PERIOD)).div((float) (half - freqShift));
        NDArray args = timesteps.toType(DataType.FLOAT32, false).reshape(-1, 1).mul(exponent.exp().reshape(1, half));
        NDArray sin = args.sin();
        NDArray cos = args.cos();
        NDArray emb = flipSinToCos ? cos.concat(sin, 1) : sin.concat(cos, 1);
        return dim % 2 == 0 ? emb : emb.pad(new Shape(0, 1), 0);
    }
}
