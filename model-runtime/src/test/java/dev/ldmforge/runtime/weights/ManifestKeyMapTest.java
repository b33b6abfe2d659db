package dev.ldmforge.runtime.weights;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.testing.Fixtures;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * (b) Real-size SD 1.5 and SD 2.1-base: the original single-file key names and shapes of the fixture manifests map
 * to exactly the diffusers keys and shapes, with the mapping and the configs derived from the shapes alone.
 */
class ManifestKeyMapTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record Manifest(String name, JsonNode root, Map<String, TensorInfo> originals) {

        static Manifest read(String name) throws IOException {
            JsonNode root = JSON.readTree(Fixtures.path("manifests/" + name + ".json").toFile());
            return new Manifest(name, root, infos(root.path("original_single_file").path("state_dict")));
        }

        JsonConfig savedConfig(String component) {
            return new JsonConfig(root.path(component).path("config.json"), name + " " + component);
        }

        /** Diffusers key -> shape, as the manifest lists the component's state dict. */
        Map<String, String> diffusers(String component) {
            Map<String, String> out = new TreeMap<>();
            infos(root.path(component).path("state_dict")).values().forEach(i -> out.put(i.key(),
                    Arrays.toString(i.shape())));
            return out;
        }
    }

    private static Map<String, TensorInfo> infos(JsonNode stateDict) {
        Map<String, TensorInfo> out = new LinkedHashMap<>();
        for (JsonNode e : stateDict) {
            assertEquals("float32", e.path("dtype").asText());
            long[] shape = new long[e.path("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = e.path("shape").get(i).asLong();
            }
            out.put(e.path("key").asText(), new TensorInfo(e.path("key").asText(), StoredDtype.F32, shape));
        }
        return out;
    }

    private static Map<String, String> mapped(OriginalKeyMapper mapper, Map<String, TensorInfo> originals) {
        Map<String, String> out = new TreeMap<>();
        mapper.map(originals, "manifest").forEach((key, m) -> out.put(key,
                Arrays.toString(m.info().shape())));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sd15", "sd21base"})
    void originalNamesMapToTheDiffusersKeysAndShapes(String name) throws IOException {
        Manifest m = Manifest.read(name);
        ModelFamily family = ModelFamily.detect(m.originals().keySet(), name);
        assertEquals(name.equals("sd15") ? ModelFamily.SD1 : ModelFamily.SD2, family);
        CheckpointShapes shapes = new CheckpointShapes(m.originals(), name);

        JsonConfig unet = shapes.unet(family).toConfig(name + " inferred unet");
        JsonConfig vae = shapes.vae(family).toConfig(name + " inferred vae");
        JsonConfig text = shapes.textEncoder(family, null).toConfig(name + " inferred text_encoder");
        ConfigAssert.derivedMatchesSaved(unet, m.savedConfig("unet"), Map.of());
        ConfigAssert.derivedMatchesSaved(vae, m.savedConfig("vae"), Map.of());
        ConfigAssert.derivedMatchesSaved(text, m.savedConfig("text_encoder"), Map.of());

        assertEquals(686, m.diffusers("unet").size());
        for (JsonConfig config : new JsonConfig[]{unet, m.savedConfig("unet")}) {
            assertEquals(m.diffusers("unet"), mapped(UNetKeyMap.forConfig(config), m.originals()), "unet");
        }
        assertEquals(m.diffusers("vae"), mapped(VaeKeyMap.forConfig(m.savedConfig("vae")), m.originals()), "vae");
        OriginalKeyMapper textMap = family == ModelFamily.SD1 ? ClipTextKeyMap.create()
                : OpenClipTextKeyMap.create(text.requiredInt("num_hidden_layers"));
        assertEquals(m.diffusers("text_encoder"), mapped(textMap, m.originals()), "text_encoder");
    }

    /**
     * An original inference YAML in the style of v1-inference.yaml / v2-inference.yaml (typed here with the real
     * SD numbers) gives the published diffusers configs.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sd15", "sd21base"})
    void inferenceYamlGivesThePublishedConfigs(String name, @TempDir Path dir) throws IOException {
        Manifest m = Manifest.read(name);
        boolean v2 = name.equals("sd21base");
        Path yaml = dir.resolve(name + "-inference.yaml");
        Files.writeString(yaml, String.join("\n",
                "model:",
                "  target: ldm.models.diffusion.ddpm.LatentDiffusion",
                "  params:",
                "    linear_start: 0.00085",
                "    linear_end: 0.0120",
                "    timesteps: 1000",
                "    image_size: 64",
                "    channels: 4",
                "    scale_factor: 0.18215",
                "    unet_config:",
                "      target: ldm.modules.diffusionmodules.openaimodel.UNetModel",
                "      params:",
                "        use_checkpoint: True",
                "        image_size: 32 # unused",
                "        in_channels: 4",
                "        out_channels: 4",
                "        model_channels: 320",
                "        attention_resolutions: [ 4, 2, 1 ]",
                "        num_res_blocks: 2",
                "        channel_mult: [ 1, 2, 4, 4 ]",
                v2 ? "        num_head_channels: 64" : "        num_heads: 8",
                "        use_spatial_transformer: True",
                v2 ? "        use_linear_in_transformer: True" : "",
                "        transformer_depth: 1",
                "        context_dim: " + (v2 ? 1024 : 768),
                "        legacy: False",
                "    first_stage_config:",
                "      target: ldm.models.autoencoder.AutoencoderKL",
                "      params:",
                "        embed_dim: 4",
                "        ddconfig:",
                "          double_z: true",
                "          z_channels: 4",
                "          resolution: 256",
                "          in_channels: 3",
                "          out_ch: 3",
                "          ch: 128",
                "          ch_mult: [1, 2, 4, 4]",
                "          num_res_blocks: 2",
                "          attn_resolutions: []",
                "          dropout: 0.0",
                "    cond_stage_config:",
                v2 ? "      target: ldm.modules.encoders.modules.FrozenOpenCLIPEmbedder"
                        : "      target: ldm.modules.encoders.modules.FrozenCLIPEmbedder",
                v2 ? "      params: {freeze: True, layer: penultimate}" : ""));
        InferenceYaml config = InferenceYaml.read(yaml);
        assertEquals(v2 ? ModelFamily.SD2 : ModelFamily.SD1, config.family());
        assertEquals("epsilon", config.predictionType());
        ConfigAssert.derivedMatchesSaved(config.unet().toConfig("yaml unet"), m.savedConfig("unet"), Map.of());
        ConfigAssert.derivedMatchesSaved(config.vae().toConfig("yaml vae"), m.savedConfig("vae"), Map.of());
        assertEquals(NoiseSchedule.SD, config.schedule());
    }

    /** A real SD 2 file holds OpenCLIP's whole text tower: 24 resblocks, projection, logit scale. */
    @ParameterizedTest
    @ValueSource(strings = {"sd21base"})
    void fullOpenClipTowerKeepsTwentyThreeLayers(String name) throws IOException {
        Manifest m = Manifest.read(name);
        Map<String, TensorInfo> originals = new LinkedHashMap<>(m.originals());
        String prefix = OpenClipTextKeyMap.ROOT + OpenClipTextKeyMap.RESBLOCKS;
        for (TensorInfo i : m.originals().values()) {
            if (i.key().startsWith(prefix + "22.")) {
                String key = prefix + "23." + i.key().substring((prefix + "22.").length());
                originals.put(key, new TensorInfo(key, i.dtype(), i.shape()));
            }
        }
        originals.put(OpenClipTextKeyMap.ROOT + "text_projection", new TensorInfo(OpenClipTextKeyMap.ROOT
                + "text_projection", StoredDtype.F32, new long[]{1024, 1024}));
        originals.put(OpenClipTextKeyMap.ROOT + "logit_scale", new TensorInfo(OpenClipTextKeyMap.ROOT
                + "logit_scale", StoredDtype.F32, new long[]{}));
        CheckpointShapes shapes = new CheckpointShapes(originals, name);
        assertEquals(23, shapes.openClipLayers());
        assertEquals(23, shapes.textEncoder(ModelFamily.SD2, null).layers());
        assertEquals(m.diffusers("text_encoder"), mapped(OpenClipTextKeyMap.create(23), originals));
    }
}
