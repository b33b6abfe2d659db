package dev.ldmforge.runtime.pipeline;

import ai.djl.ndarray.NDArray;
import dev.ldmforge.runtime.unet.AddedConditions;

/**
 * What the UNet is conditioned on, one row per UNet batch row: the text states every model has and, for SDXL, the
 * pooled text embeddings and time ids ({@code added_cond_kwargs}; null otherwise).
 */
record Conditioning(NDArray encoderHiddenStates, AddedConditions added) {
}
