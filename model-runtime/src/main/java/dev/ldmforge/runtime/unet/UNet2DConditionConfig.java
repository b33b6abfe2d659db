package dev.ldmforge.runtime.unet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.config.KnownFields;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A diffusers 0.25 {@code UNet2DConditionModel} config.json, resolved the way diffusers resolves it: per-level lists
 * (in down-block order) for the fields that may be an int or a list, and the number of attention heads taken from
 * {@code attention_head_dim} (SD configs store the head COUNT there, diffusers issue 2011). Every field is read;
 * features we do not implement are refused when set to anything but their default.
 *
 * @param downCrossAttention per level: CrossAttnDownBlock2D (true) or DownBlock2D
 * @param upCrossAttention   per up block: CrossAttnUpBlock2D (true) or UpBlock2D
 * @param timeEmbedDim       {@code time_embedding_dim}, or 4 × block_out_channels[0] when unset
 * @param sampleSize         latent size the model was trained at, 0 when the config does not say
 * @param additionEmbedType  null, or {@code text_time} (SDXL): a pooled text embedding and sinusoid-embedded
 *                           {@code time_ids} go through {@code add_embedding} into the time embedding
 * @param additionTimeEmbedDim             width of each time id's sinusoid embedding (text_time only, else 0)
 * @param projectionClassEmbeddingsInputDim {@code add_embedding}'s input width: pooled text width + time ids ×
 *                                          additionTimeEmbedDim (text_time only, else 0)
 */
public record UNet2DConditionConfig(
        int inChannels,
        int outChannels,
        int[] blockOutChannels,
        boolean[] downCrossAttention,
        boolean[] upCrossAttention,
        int[] layersPerBlock,
        int[] attentionHeads,
        int[] crossAttentionDim,
        int[] transformerLayersPerBlock,
        boolean[] onlyCrossAttention,
        boolean useLinearProjection,
        boolean upcastAttention,
        int normNumGroups,
        double normEps,
        boolean flipSinToCos,
        double freqShift,
        int downsamplePadding,
        double midBlockScaleFactor,
        int convInKernel,
        int convOutKernel,
        int timeEmbedDim,
        boolean centerInputSample,
        int sampleSize,
        String additionEmbedType,
        int additionTimeEmbedDim,
        int projectionClassEmbeddingsInputDim) {

    /** diffusers' SDXL micro-conditioning: pooled text embedding + embedded original size, crop and target size. */
    public static final String TEXT_TIME = "text_time";

    private static final Set<String> FIELDS = Set.of("act_fn", "addition_embed_type", "addition_embed_type_num_heads",
            "addition_time_embed_dim", "attention_head_dim", "attention_type", "block_out_channels",
            "center_input_sample", "class_embed_type", "class_embeddings_concat", "conv_in_kernel", "conv_out_kernel",
            "cross_attention_dim", "cross_attention_norm", "down_block_types", "downsample_padding", "dropout",
            "dual_cross_attention", "encoder_hid_dim", "encoder_hid_dim_type", "flip_sin_to_cos", "freq_shift",
            "in_channels", "layers_per_block", "mid_block_only_cross_attention", "mid_block_scale_factor",
            "mid_block_type", "norm_eps", "norm_num_groups", "num_attention_heads", "num_class_embeds",
            "only_cross_attention", "out_channels", "projection_class_embeddings_input_dim", "resnet_out_scale_factor",
            "resnet_skip_time_act", "resnet_time_scale_shift", "reverse_transformer_layers_per_block", "sample_size",
            "time_cond_proj_dim", "time_embedding_act_fn", "time_embedding_dim", "time_embedding_type",
            "timestep_post_act", "transformer_layers_per_block", "up_block_types", "upcast_attention",
            "use_linear_projection");

    public static UNet2DConditionConfig read(Path configJson) {
        return from(JsonConfig.read(configJson));
    }

    public static UNet2DConditionConfig from(JsonConfig c) {
        KnownFields.check(c, FIELDS);
        c.oneOf("_class_name", "UNet2DConditionModel", "UNet2DConditionModel");
        refuseUnimplemented(c);

        List<String> down = c.has("down_block_types") ? c.strings("down_block_types")
                : List.of("CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D");
        List<String> up = c.has("up_block_types") ? c.strings("up_block_types")
                : List.of("UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D");
        int[] channels = c.has("block_out_channels") ? c.ints("block_out_channels") : new int[] {320, 640, 1280, 1280};
        int levels = down.size();
        if (up.size() != levels || channels.length != levels) {
            throw new ConfigException(c.source() + ": down_block_types " + down + ", up_block_types " + up
                    + " and block_out_channels " + Arrays.toString(channels) + " must have the same length");
        }
        refuseNull(c, "norm_num_groups");
        int groups = c.integer("norm_num_groups", 32);
        for (int ch : channels) {
            if (ch % groups != 0) {
                throw new ConfigException(c.source() + ": block_out_channels entry " + ch
                        + " is not divisible by norm_num_groups " + groups);
            }
        }
        int[] heads = c.intsOrRepeated("attention_head_dim", levels, 8);
        for (int i = 0; i < levels; i++) {
            if (heads[i] < 1 || heads[i] > channels[i]) {
                throw c.unsupported("attention_head_dim", heads[i], "the head count of level " + i
                        + " must be between 1 and its " + channels[i] + " channels");
            }
        }
        int convIn = oddKernel(c, "conv_in_kernel");
        int convOut = oddKernel(c, "conv_out_kernel");
        String addition = c.oneOf("addition_embed_type", null, TEXT_TIME);
        int additionTimeEmbedDim = 0;
        int additionInput = 0;
        if (addition != null) {
            additionTimeEmbedDim = positive(c, "addition_time_embed_dim");
            additionInput = positive(c, "projection_class_embeddings_input_dim");
        } else {
            c.requireAbsentOr("addition_time_embed_dim", null);
            c.requireAbsentOr("projection_class_embeddings_input_dim", null);
        }
        return new UNet2DConditionConfig(
                c.integer("in_channels", 4),
                c.integer("out_channels", 4),
                channels,
                blockTypes(c, "down_block_types", down, "CrossAttnDownBlock2D", "DownBlock2D"),
                blockTypes(c, "up_block_types", up, "CrossAttnUpBlock2D", "UpBlock2D"),
                c.intsOrRepeated("layers_per_block", levels, 2),
                heads,
                c.intsOrRepeated("cross_attention_dim", levels, 1280),
                c.intsOrRepeated("transformer_layers_per_block", levels, 1),
                boolsOrRepeated(c, "only_cross_attention", levels),
                c.bool("use_linear_projection", false),
                c.bool("upcast_attention", false),
                groups,
                c.number("norm_eps", 1e-5),
                c.bool("flip_sin_to_cos", true),
                c.number("freq_shift", 0),
                c.integer("downsample_padding", 1),
                c.number("mid_block_scale_factor", 1),
                convIn,
                convOut,
                c.integer("time_embedding_dim", 4 * channels[0]),
                c.bool("center_input_sample", false),
                c.integer("sample_size", 0),
                addition,
                additionTimeEmbedDim,
                additionInput);
    }

    /** A field text_time needs (diffusers fails on None there). */
    private static int positive(JsonConfig c, String field) {
        int value = c.requiredInt(field);
        if (value < 1) {
            throw c.unsupported(field, value, "must be positive");
        }
        return value;
    }

    /** Fields that select a feature this port does not have; only their diffusers default is accepted. */
    private static void refuseUnimplemented(JsonConfig c) {
        c.oneOf("act_fn", "silu", "silu", "swish");
        c.oneOf("mid_block_type", "UNetMidBlock2DCrossAttn", "UNetMidBlock2DCrossAttn");
        refuseNull(c, "mid_block_type");
        c.oneOf("time_embedding_type", "positional", "positional");
        c.oneOf("resnet_time_scale_shift", "default", "default");
        c.oneOf("attention_type", "default", "default");
        c.requireAbsentOr("dual_cross_attention", false);
        c.requireAbsentOr("class_embeddings_concat", false);
        c.requireAbsentOr("resnet_skip_time_act", false);
        c.requireAbsentOr("resnet_out_scale_factor", 1.0);
        // only the refused addition_embed_type "text" reads it
        c.integer("addition_embed_type_num_heads", 64);
        for (String field : List.of("class_embed_type", "num_class_embeds", "encoder_hid_dim", "encoder_hid_dim_type",
                "time_cond_proj_dim", "time_embedding_act_fn", "timestep_post_act", "cross_attention_norm",
                "mid_block_only_cross_attention", "reverse_transformer_layers_per_block")) {
            c.requireAbsentOr(field, null);
        }
        if (c.has("num_attention_heads")) {
            throw c.unsupported("num_attention_heads", c.node().get("num_attention_heads"),
                    "diffusers 0.25 refuses it too; SD configs give the head count in attention_head_dim");
        }
        // "dropout" only acts in training; it is read for its type and has no effect at inference.
        c.number("dropout", 0);
    }

    private static boolean[] blockTypes(JsonConfig c, String field, List<String> types, String withAttention,
            String plain) {
        boolean[] attention = new boolean[types.size()];
        for (int i = 0; i < attention.length; i++) {
            String t = types.get(i);
            if (!t.equals(withAttention) && !t.equals(plain)) {
                throw c.unsupported(field, t, "supported: " + withAttention + ", " + plain);
            }
            attention[i] = t.equals(withAttention);
        }
        return attention;
    }

    /** diffusers reads an explicit null as "build no such module"; this port always builds it, so null is refused. */
    private static void refuseNull(JsonConfig c, String field) {
        JsonNode n = c.node().get(field);
        if (n != null && n.isNull()) {
            throw c.unsupported(field, "null", "only configs with this module are supported");
        }
    }

    private static int oddKernel(JsonConfig c, String field) {
        int k = c.integer(field, 3);
        if (k < 1 || k % 2 == 0) {
            throw c.unsupported(field, k, "an odd kernel size keeps the feature map size");
        }
        return k;
    }

    private static boolean[] boolsOrRepeated(JsonConfig c, String field, int count) {
        JsonNode n = c.node().get(field);
        boolean[] out = new boolean[count];
        if (n == null || n.isNull() || n.isBoolean()) {
            Arrays.fill(out, c.bool(field, false));
            return out;
        }
        if (!n.isArray() || n.size() != count) {
            throw new ConfigException(c.source() + ": " + field + " is " + n + ", expected true/false or a list of "
                    + count + " of them, one per block");
        }
        for (int i = 0; i < count; i++) {
            if (!n.get(i).isBoolean()) {
                throw new ConfigException(c.source() + ": " + field + " is " + n + ", expected a list of true/false");
            }
            out[i] = n.get(i).asBoolean();
        }
        return out;
    }
}
