package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import dev.ldmforge.runtime.nn.Scope;

/**
 * The bottleneck: resnet, attention, resnet at constant width. diffusers' {@code UNetMidBlock2DCrossAttn} (with a
 * {@link Transformer2DModel}) and the VAE's {@code UNetMidBlock2D} (with {@link Attention#spatial}).
 */
public final class UNetMidBlock2D {
    private final ResnetBlock2D resnet0;
    private final SpatialAttention attention;
    private final ResnetBlock2D resnet1;

    public UNetMidBlock2D(Scope scope, long channels, ResnetBlock2D.Settings resnet, SpatialAttention.Factory attention) {
        Scope resnets = scope.child("resnets");
        this.resnet0 = new ResnetBlock2D(resnets.child(0), channels, channels, resnet);
        this.attention = attention.create(scope.child("attentions").child(0), channels);
        this.resnet1 = new ResnetBlock2D(resnets.child(1), channels, channels, resnet);
    }

    public NDArray forward(NDArray x, NDArray temb, NDArray context) {
        return resnet1.forward(attention.forward(resnet0.forward(x, temb), context), temb);
    }
}
