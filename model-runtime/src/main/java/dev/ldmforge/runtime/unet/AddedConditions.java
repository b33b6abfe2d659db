package dev.ldmforge.runtime.unet;

import ai.djl.ndarray.NDArray;

/**
 * diffusers' {@code added_cond_kwargs} for {@code addition_embed_type: "text_time"} (SDXL): one row per batch
 * element, in the batch order of the sample.
 *
 * @param textEmbeds the pooled text embedding [B, projection_dim] (text_encoder_2's {@code text_embeds})
 * @param timeIds    the micro-conditioning [B, n]: original size, crop top-left and target size, (h, w) each
 */
public record AddedConditions(NDArray textEmbeds, NDArray timeIds) {
}
