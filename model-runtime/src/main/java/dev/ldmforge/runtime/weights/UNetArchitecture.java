package dev.ldmforge.runtime.weights;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ldmforge.runtime.config.JsonConfig;

import java.util.Arrays;

/**
 * The UNet numbers an original checkpoint determines, written as a diffusers {@code UNet2DConditionModel} config.
 * {@code attentionHeadDim} has one entry for SD 1 (diffusers reads it as the head count of every level) or one per
 * level for SD 2 and SDXL (channels / 64). {@code transformerLayers} per level; {@code additionTimeEmbedDim} > 0
 * for SDXL's text_time micro-conditioning, whose MLP takes {@code projectionClassEmbeddingsInputDim} inputs.
 */
record UNetArchitecture(int inChannels, int outChannels, int[] blockOutChannels, int layersPerBlock,
                        boolean[] crossAttention, int[] attentionHeadDim, int crossAttentionDim,
                        boolean linearProjection, int[] transformerLayers, int sampleSize, int additionTimeEmbedDim,
                        int projectionClassEmbeddingsInputDim) {

    /** An SD 1.x/2.x UNet: one transformer depth everywhere, no added conditions. */
    UNetArchitecture(int inChannels, int outChannels, int[] blockOutChannels, int layersPerBlock,
                     boolean[] crossAttention, int[] attentionHeadDim, int crossAttentionDim,
                     boolean linearProjection, int transformerLayers, int sampleSize) {
        this(inChannels, outChannels, blockOutChannels, layersPerBlock, crossAttention, attentionHeadDim,
                crossAttentionDim, linearProjection, repeated(transformerLayers, blockOutChannels.length), sampleSize,
                0, 0);
    }

    private static int[] repeated(int value, int count) {
        int[] out = new int[count];
        Arrays.fill(out, value);
        return out;
    }

    JsonConfig toConfig(String source) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("_class_name", "UNet2DConditionModel");
        n.put("act_fn", "silu");
        if (additionTimeEmbedDim > 0) {
            n.put("addition_embed_type", "text_time");
            n.put("addition_time_embed_dim", additionTimeEmbedDim);
            n.put("projection_class_embeddings_input_dim", projectionClassEmbeddingsInputDim);
        }
        if (attentionHeadDim.length == 1) {
            n.put("attention_head_dim", attentionHeadDim[0]);
        } else {
            Arrays.stream(attentionHeadDim).forEach(n.putArray("attention_head_dim")::add);
        }
        Arrays.stream(blockOutChannels).forEach(n.putArray("block_out_channels")::add);
        n.put("center_input_sample", false);
        n.put("cross_attention_dim", crossAttentionDim);
        for (int i = 0; i < blockOutChannels.length; i++) {
            n.withArray("down_block_types").add(crossAttention[i] ? "CrossAttnDownBlock2D" : "DownBlock2D");
        }
        n.put("downsample_padding", 1);
        n.put("flip_sin_to_cos", true);
        n.put("freq_shift", 0);
        n.put("in_channels", inChannels);
        n.put("layers_per_block", layersPerBlock);
        n.put("mid_block_scale_factor", 1);
        n.put("mid_block_type", "UNetMidBlock2DCrossAttn");
        n.put("norm_eps", 1e-5);
        n.put("norm_num_groups", 32);
        n.put("out_channels", outChannels);
        n.put("sample_size", sampleSize);
        if (Arrays.stream(transformerLayers).distinct().count() == 1) {
            n.put("transformer_layers_per_block", transformerLayers[0]);
        } else {
            Arrays.stream(transformerLayers).forEach(n.putArray("transformer_layers_per_block")::add);
        }
        for (int i = blockOutChannels.length - 1; i >= 0; i--) {
            n.withArray("up_block_types").add(crossAttention[i] ? "CrossAttnUpBlock2D" : "UpBlock2D");
        }
        n.put("upcast_attention", false);
        n.put("use_linear_projection", linearProjection);
        return new JsonConfig(n, source);
    }
}
