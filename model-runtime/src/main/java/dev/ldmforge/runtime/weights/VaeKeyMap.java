package dev.ldmforge.runtime.weights;

import dev.ldmforge.runtime.config.JsonConfig;

import java.util.List;
import java.util.Map;

/**
 * Original ({@code first_stage_model}, CompVis {@code AutoencoderKL}) VAE keys to diffusers {@code AutoencoderKL}
 * keys, levels and resnets counted from the config. The original decoder numbers its levels from the lowest
 * resolution up ({@code up.<levels-1-i>} is diffusers' {@code up_blocks.<i>}); the mid-block attention stores
 * q/k/v/proj_out as 1x1 convs, which become linear weights.
 */
final class VaeKeyMap {

    static final String ROOT = "first_stage_model.";

    private static final Map<String, List<String>> RESNET = Map.of("nin_shortcut", List.of("conv_shortcut"));
    private static final Map<String, List<String>> ATTENTION = Map.of(
            "norm", List.of("group_norm"),
            "q", List.of("to_q"),
            "k", List.of("to_k"),
            "v", List.of("to_v"),
            "proj_out", List.of("to_out.0"));

    private VaeKeyMap() {
    }

    static OriginalKeyMapper forConfig(JsonConfig config) {
        int levels = config.ints("block_out_channels").length;
        int layers = config.integer("layers_per_block", 1);
        requireAll(config, "down_block_types", levels, "DownEncoderBlock2D");
        requireAll(config, "up_block_types", levels, "UpDecoderBlock2D");
        OriginalKeyMapper m = new OriginalKeyMapper(ROOT)
                .module("quant_conv", "quant_conv")
                .module("post_quant_conv", "post_quant_conv")
                // training-only LPIPS/discriminator weights some checkpoints carry
                .ignore(path -> path.startsWith("loss."));
        for (String part : List.of("encoder", "decoder")) {
            m.module(part + ".conv_in", part + ".conv_in")
                    .module(part + ".conv_out", part + ".conv_out")
                    .module(part + ".norm_out", part + ".conv_norm_out")
                    .module(part + ".mid.block_1", part + ".mid_block.resnets.0", RESNET)
                    .module(part + ".mid.block_2", part + ".mid_block.resnets.1", RESNET)
                    .conv1x1AsLinear(part + ".mid.attn_1", part + ".mid_block.attentions.0", ATTENTION);
        }
        for (int i = 0; i < levels; i++) {
            for (int j = 0; j < layers; j++) {
                m.module("encoder.down." + i + ".block." + j, "encoder.down_blocks." + i + ".resnets." + j, RESNET);
            }
            int original = levels - 1 - i;
            for (int j = 0; j < layers + 1; j++) {
                m.module("decoder.up." + original + ".block." + j, "decoder.up_blocks." + i + ".resnets." + j,
                        RESNET);
            }
            if (i < levels - 1) {
                m.module("encoder.down." + i + ".downsample", "encoder.down_blocks." + i + ".downsamplers.0");
                m.module("decoder.up." + original + ".upsample", "decoder.up_blocks." + i + ".upsamplers.0");
            }
        }
        return m;
    }

    private static void requireAll(JsonConfig config, String field, int levels, String type) {
        List<String> types = config.strings(field);
        if (types.size() != levels) {
            throw new WeightsException(config.source() + ": " + field + " has " + types.size() + " entries but "
                    + "block_out_channels has " + levels);
        }
        for (String t : types) {
            if (!t.equals(type)) {
                throw config.unsupported(field, t, "supported: " + type);
            }
        }
    }
}
