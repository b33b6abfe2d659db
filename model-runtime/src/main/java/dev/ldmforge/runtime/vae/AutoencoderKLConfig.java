package dev.ldmforge.runtime.vae;

import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.config.KnownFields;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A diffusers 0.25 {@code AutoencoderKL} config.json. Fields added by later diffusers versions are accepted only at
 * their neutral value.
 *
 * @param scalingFactor latents are multiplied by it after encoding and divided by it before decoding
 * @param forceUpcast   the pipeline should run this VAE in float32 even when the UNet runs in float16
 */
public record AutoencoderKLConfig(
        int inChannels,
        int outChannels,
        int[] blockOutChannels,
        int layersPerBlock,
        int latentChannels,
        int normNumGroups,
        double scalingFactor,
        boolean forceUpcast,
        int sampleSize) {

    private static final Set<String> FIELDS = Set.of("act_fn", "block_out_channels", "down_block_types",
            "force_upcast", "in_channels", "latent_channels", "layers_per_block", "norm_num_groups", "out_channels",
            "sample_size", "scaling_factor", "up_block_types", "latents_mean", "latents_std", "shift_factor",
            "use_quant_conv", "use_post_quant_conv", "mid_block_add_attention");

    public static AutoencoderKLConfig read(Path configJson) {
        return from(JsonConfig.read(configJson));
    }

    public static AutoencoderKLConfig from(JsonConfig c) {
        KnownFields.check(c, FIELDS);
        c.oneOf("_class_name", "AutoencoderKL", "AutoencoderKL");
        c.oneOf("act_fn", "silu", "silu", "swish");
        c.requireAbsentOr("use_quant_conv", true);
        c.requireAbsentOr("use_post_quant_conv", true);
        c.requireAbsentOr("mid_block_add_attention", true);
        for (String field : List.of("latents_mean", "latents_std", "shift_factor")) {
            c.requireAbsentOr(field, null);
        }
        int[] channels = c.has("block_out_channels") ? c.ints("block_out_channels") : new int[] {64};
        blockTypes(c, "down_block_types", "DownEncoderBlock2D", channels);
        blockTypes(c, "up_block_types", "UpDecoderBlock2D", channels);
        int groups = c.integer("norm_num_groups", 32);
        for (int ch : channels) {
            if (ch % groups != 0) {
                throw new ConfigException(c.source() + ": block_out_channels entry " + ch
                        + " is not divisible by norm_num_groups " + groups);
            }
        }
        return new AutoencoderKLConfig(
                c.integer("in_channels", 3),
                c.integer("out_channels", 3),
                channels,
                c.integer("layers_per_block", 1),
                c.integer("latent_channels", 4),
                groups,
                c.number("scaling_factor", 0.18215),
                c.bool("force_upcast", true),
                c.integer("sample_size", 32));
    }

    private static void blockTypes(JsonConfig c, String field, String supported, int[] channels) {
        List<String> types = c.has(field) ? c.strings(field) : List.of(supported);
        for (String t : types) {
            if (!t.equals(supported)) {
                throw c.unsupported(field, t, "supported: " + supported);
            }
        }
        if (types.size() != channels.length) {
            throw new ConfigException(c.source() + ": " + field + " " + types + " and block_out_channels "
                    + Arrays.toString(channels) + " must have the same length");
        }
    }
}
