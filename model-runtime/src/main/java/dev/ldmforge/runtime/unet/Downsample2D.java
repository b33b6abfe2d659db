package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.nn.Conv2d;
import dev.ldmforge.runtime.nn.Scope;

/**
 * diffusers' {@code Downsample2D} with a conv: 3×3, stride 2. With padding 0 (the VAE encoder) diffusers first pads
 * one zero row and column at the bottom and right, so odd and even sizes both halve.
 */
public final class Downsample2D {
    private final Conv2d conv;
    private final int padding;

    public Downsample2D(Scope scope, long channels, int padding) {
        this.conv = new Conv2d(scope.child("conv"), channels, channels, 3, 2, padding);
        this.padding = padding;
    }

    public NDArray forward(NDArray x) {
        return conv.forward(padding == 0 ? x.pad(new Shape(0, 1, 0, 1), 0) : x);
    }
}
