package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;
import dev.ldmforge.runtime.nn.Scope;

/**
 * What sits after a resnet in a down, mid or up block ({@code attentions.i}): a {@link Transformer2DModel} in the
 * UNet, the single-head {@link Attention#spatial} in the VAE. Maps [B, C, H, W] to the same shape.
 */
@FunctionalInterface
public interface SpatialAttention {

    /** @param context the text states [B, 77, D], or null where the block has no cross-attention */
    NDArray forward(NDArray x, NDArray context);

    /** Builds the attention of one block at {@code scope} for {@code channels} feature channels. */
    @FunctionalInterface
    interface Factory {
        SpatialAttention create(Scope scope, long channels);
    }
}
