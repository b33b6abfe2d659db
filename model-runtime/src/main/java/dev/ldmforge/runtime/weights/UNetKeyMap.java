package dev.ldmforge.runtime.weights;

import dev.ldmforge.runtime.config.JsonConfig;

import java.util.List;
import java.util.Map;

/**
 * Original (CompVis {@code openaimodel.UNetModel}) UNet keys to diffusers {@code UNet2DConditionModel} keys. The
 * block numbering is counted from the config: {@code input_blocks} are conv_in, then per level its resnets (each
 * with its transformer when the level has attention) and a downsampler except on the last level; {@code
 * output_blocks} are per up level {@code layers_per_block + 1} resnets (+ transformer), the last one also holding
 * the upsampler, except on the last level. No table assumes SD's four levels; SDXL's {@code label_emb} is
 * {@code add_embedding}, and its transformers of several layers keep their inner names.
 */
final class UNetKeyMap {

    static final String ROOT = "model.diffusion_model.";

    private static final Map<String, List<String>> RESNET = Map.of(
            "in_layers.0", List.of("norm1"),
            "in_layers.2", List.of("conv1"),
            "emb_layers.1", List.of("time_emb_proj"),
            "out_layers.0", List.of("norm2"),
            "out_layers.3", List.of("conv2"),
            "skip_connection", List.of("conv_shortcut"));

    private UNetKeyMap() {
    }

    static OriginalKeyMapper forConfig(JsonConfig config) {
        int levels = config.ints("block_out_channels").length;
        int[] layers = config.intsOrRepeated("layers_per_block", levels, 2);
        boolean[] downAttention = attention(config, "down_block_types", levels, "CrossAttnDownBlock2D",
                "DownBlock2D");
        boolean[] upAttention = attention(config, "up_block_types", levels, "CrossAttnUpBlock2D", "UpBlock2D");
        config.oneOf("mid_block_type", "UNetMidBlock2DCrossAttn", "UNetMidBlock2DCrossAttn");

        OriginalKeyMapper m = new OriginalKeyMapper(ROOT)
                .module("time_embed.0", "time_embedding.linear_1")
                .module("time_embed.2", "time_embedding.linear_2")
                .module("input_blocks.0.0", "conv_in")
                .module("middle_block.0", "mid_block.resnets.0", RESNET)
                .module("middle_block.1", "mid_block.attentions.0")
                .module("middle_block.2", "mid_block.resnets.1", RESNET)
                .module("out.0", "conv_norm_out")
                .module("out.2", "conv_out");
        if ("text_time".equals(config.string("addition_embed_type", null))) {
            // SDXL's micro-conditioning MLP (sgm's label_emb for adm_in_channels)
            m.module("label_emb.0.0", "add_embedding.linear_1").module("label_emb.0.2", "add_embedding.linear_2");
        }
        int block = 1;
        for (int i = 0; i < levels; i++) {
            for (int j = 0; j < layers[i]; j++, block++) {
                m.module("input_blocks." + block + ".0", "down_blocks." + i + ".resnets." + j, RESNET);
                if (downAttention[i]) {
                    m.module("input_blocks." + block + ".1", "down_blocks." + i + ".attentions." + j);
                }
            }
            if (i < levels - 1) {
                m.module("input_blocks." + block++ + ".0.op", "down_blocks." + i + ".downsamplers.0.conv");
            }
        }
        block = 0;
        for (int i = 0; i < levels; i++) {
            int resnets = layers[levels - 1 - i] + 1;
            for (int j = 0; j < resnets; j++, block++) {
                m.module("output_blocks." + block + ".0", "up_blocks." + i + ".resnets." + j, RESNET);
                if (upAttention[i]) {
                    m.module("output_blocks." + block + ".1", "up_blocks." + i + ".attentions." + j);
                }
                if (j == resnets - 1 && i < levels - 1) {
                    m.module("output_blocks." + block + "." + (upAttention[i] ? 2 : 1), "up_blocks." + i
                            + ".upsamplers.0");
                }
            }
        }
        return m;
    }

    private static boolean[] attention(JsonConfig config, String field, int levels, String withAttention,
                                       String without) {
        List<String> types = config.strings(field);
        if (types.size() != levels) {
            throw new WeightsException(config.source() + ": " + field + " has " + types.size() + " entries but "
                    + "block_out_channels has " + levels);
        }
        boolean[] out = new boolean[levels];
        for (int i = 0; i < levels; i++) {
            if (!types.get(i).equals(withAttention) && !types.get(i).equals(without)) {
                throw config.unsupported(field, types.get(i), "supported: " + withAttention + ", " + without);
            }
            out[i] = types.get(i).equals(withAttention);
        }
        return out;
    }
}
