package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import dev.ldmforge.runtime.nn.Conv2d;
import dev.ldmforge.runtime.nn.Scope;

/** diffusers' {@code Upsample2D} with a conv: nearest-neighbour upsampling, then a 3×3 conv. */
public final class Upsample2D {
    /** DJL's interpolation mode code for "nearest". */
    private static final int NEAREST = 0;

    private final Conv2d conv;

    public Upsample2D(Scope scope, long channels) {
        this.conv = Conv2d.same(scope.child("conv"), channels, channels, 3);
    }

    /**
     * Upsamples to {@code height}×{@code width}: twice the input, or the size of the matching skip connection when
     * the UNet's input size is not a multiple of its total down-scaling (diffusers' {@code upsample_size}).
     */
    public NDArray forward(NDArray x, long height, long width) {
        NDArray upsampled = x.getNDArrayInternal().interpolation(new long[] {height, width}, NEAREST, false);
        NDArray out = conv.forward(upsampled);
        upsampled.close();
        return out;
    }
}
