package dev.ldmforge.runtime.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.config.JsonConfig;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * An original (CompVis/Stability) inference YAML such as v1-inference.yaml: {@code model.params} with
 * {@code unet_config}, {@code first_stage_config} and {@code cond_stage_config}. Read into the same architecture
 * records the shape inference gives; options that change the architecture beyond SD 1/2 are refused by name.
 */
final class InferenceYaml {

    private static final YAMLMapper YAML = new YAMLMapper();

    private final Path file;
    private final JsonConfig model;
    private final JsonConfig unet;
    private final JsonConfig ddconfig;
    private final JsonConfig firstStage;
    private final JsonNode condStage;

    private InferenceYaml(Path file, JsonNode root) {
        this.file = file;
        JsonNode params = root.path("model").path("params");
        this.model = section(params, "model.params");
        this.unet = section(params.path("unet_config").path("params"), "model.params.unet_config.params");
        this.firstStage = section(params.path("first_stage_config").path("params"),
                "model.params.first_stage_config.params");
        this.ddconfig = section(params.path("first_stage_config").path("params").path("ddconfig"),
                "model.params.first_stage_config.params.ddconfig");
        this.condStage = params.path("cond_stage_config");
    }

    static InferenceYaml read(Path file) {
        if (PickledWeights.isPickleName(file) || !file.getFileName().toString().matches(".*\\.ya?ml")) {
            throw new ConfigException(file + ": expected an original inference config (.yaml)");
        }
        try {
            return new InferenceYaml(file, YAML.readTree(file.toFile()));
        } catch (IOException e) {
            throw new ConfigException(file + ": not readable YAML: " + e.getMessage());
        }
    }

    private JsonConfig section(JsonNode node, String where) {
        if (node instanceof MissingNode || !node.isObject()) {
            throw new ConfigException(file + ": section " + where + " is missing");
        }
        return new JsonConfig(node, file + " " + where);
    }

    ModelFamily family() {
        String target = condStage.path("target").asText("");
        if (target.endsWith(".FrozenCLIPEmbedder")) {
            return ModelFamily.SD1;
        }
        if (target.endsWith(".FrozenOpenCLIPEmbedder")) {
            String layer = condStage.path("params").path("layer").asText("penultimate");
            if (!layer.equals("penultimate")) {
                throw new ConfigException(file + ": unsupported cond_stage_config layer " + layer
                        + " (SD 2 conditions on the penultimate OpenCLIP layer)");
            }
            return ModelFamily.SD2;
        }
        throw new ConfigException(file + ": unsupported cond_stage_config target '" + target
                + "' (supported: FrozenCLIPEmbedder for SD 1, FrozenOpenCLIPEmbedder for SD 2)");
    }

    /** diffusers prediction type from {@code parameterization}: eps (default) or v. */
    String predictionType() {
        return model.oneOf("parameterization", "eps", "eps", "v").equals("v") ? "v_prediction" : "epsilon";
    }

    int latentSize() {
        return model.requiredInt("image_size");
    }

    NoiseSchedule schedule() {
        return new NoiseSchedule(model.number("linear_start", NoiseSchedule.SD.betaStart()),
                model.number("linear_end", NoiseSchedule.SD.betaEnd()),
                model.integer("timesteps", NoiseSchedule.SD.trainTimesteps()));
    }

    UNetArchitecture unet() {
        for (String field : new String[]{"num_classes", "adm_in_channels", "disable_self_attentions",
                "num_attention_blocks", "spatial_transformer_attn_type"}) {
            unet.requireAbsentOr(field, "null");
        }
        unet.requireAbsentOr("use_spatial_transformer", true);
        unet.requireAbsentOr("resblock_updown", false);
        unet.requireAbsentOr("use_scale_shift_norm", false);
        unet.requireAbsentOr("conv_resample", true);
        unet.requireAbsentOr("dims", 2);
        int model = unet.requiredInt("model_channels");
        int[] mult = unet.ints("channel_mult");
        int[] attentionAt = unet.ints("attention_resolutions");
        int[] channels = new int[mult.length];
        boolean[] attention = new boolean[mult.length];
        for (int i = 0; i < mult.length; i++) {
            channels[i] = model * mult[i];
            int rate = 1 << i;
            attention[i] = Arrays.stream(attentionAt).anyMatch(r -> r == rate);
        }
        int headChannels = unet.integer("num_head_channels", -1);
        int[] heads;
        if (headChannels > 0) {
            heads = Arrays.stream(channels).map(c -> c / headChannels).toArray();
        } else {
            heads = new int[]{unet.requiredInt("num_heads")};
        }
        return new UNetArchitecture(unet.requiredInt("in_channels"), unet.requiredInt("out_channels"), channels,
                unet.requiredInt("num_res_blocks"), attention, heads, unet.requiredInt("context_dim"),
                unet.bool("use_linear_in_transformer", false), unet.integer("transformer_depth", 1), latentSize());
    }

    VaeArchitecture vae() {
        ddconfig.requireAbsentOr("double_z", true);
        int[] attn = ddconfig.ints("attn_resolutions");
        if (attn.length != 0) {
            throw ddconfig.unsupported("attn_resolutions", Arrays.toString(attn),
                    "diffusers' AutoencoderKL has attention only in the mid block: []");
        }
        int latent = ddconfig.requiredInt("z_channels");
        if (firstStage.requiredInt("embed_dim") != latent) {
            throw firstStage.unsupported("embed_dim", firstStage.requiredInt("embed_dim"),
                    "must equal z_channels " + latent);
        }
        int[] mult = ddconfig.ints("ch_mult");
        int[] channels = Arrays.stream(mult).map(m -> m * ddconfig.requiredInt("ch")).toArray();
        return new VaeArchitecture(ddconfig.requiredInt("in_channels"), ddconfig.requiredInt("out_ch"), channels,
                ddconfig.requiredInt("num_res_blocks"), latent, latentSize() << (mult.length - 1),
                model.number("scale_factor", CheckpointShapes.SD_SCALING_FACTOR));
    }
}
