package dev.ldmforge.runtime.weights;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SingleFileCheckpointTest {

    private static final String POSITION_IDS = "text_model.embeddings.position_ids";
    private static final List<PipelineComponent> MODELS = List.of(PipelineComponent.UNET, PipelineComponent.VAE,
            PipelineComponent.TEXT_ENCODER);

    @TempDir
    Path dir;

    private static NDManager manager;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void release() {
        manager.close();
    }

    private static CheckpointOptions withYaml() {
        return CheckpointOptions.defaults().withInferenceYaml(Fixtures.path("tiny-sd-original-inference.yaml"));
    }

    /** (a) Every original key maps onto exactly the diffusers files' keys, shapes and values. */
    @Test
    void tinySingleFileMapsToTheDiffusersFolderExactly() {
        for (CheckpointOptions options : List.of(withYaml(), CheckpointOptions.defaults())) {
            try (SingleFileCheckpoint single = SingleFileCheckpoint.open(
                    Fixtures.path("tiny-sd-original.safetensors"), options);
                 DiffusersFolder folder = DiffusersFolder.open(Fixtures.path("tiny-sd"), null);
                 NDManager m = manager.newSubManager()) {
                assertEquals(ModelFamily.SD1, single.family());
                assertEquals(Set.of(), single.ignoredKeys());
                int mapped = 0;
                for (PipelineComponent c : MODELS) {
                    TensorSource actual = single.weights(c);
                    TensorSource expected = folder.weights(c);
                    Set<String> keys = new HashSet<>(actual.keys());
                    keys.remove(POSITION_IDS);
                    Set<String> expectedKeys = new HashSet<>(expected.keys());
                    expectedKeys.remove(POSITION_IDS);
                    assertEquals(expectedKeys, keys, c.folder() + " key set");
                    for (String key : keys) {
                        assertArrayEquals(expected.info(key).shape(), actual.info(key).shape(), key);
                        assertArrayEquals(expected.load(key, m, DataType.FLOAT32).toFloatArray(),
                                actual.load(key, m, DataType.FLOAT32).toFloatArray(), key);
                        mapped++;
                    }
                }
                assertEquals(304 + 124 + 84, mapped);
            }
        }
    }

    /** (d) The YAML gives the folder's architecture; the text encoder's head count needs its config. */
    @Test
    void configsFromTheYamlEqualTheFolderConfigs() {
        Path tiny = Fixtures.path("tiny-sd");
        JsonConfig savedText = JsonConfig.read(tiny.resolve("text_encoder/config.json"));
        try (SingleFileCheckpoint single = SingleFileCheckpoint.open(Fixtures.path("tiny-sd-original.safetensors"),
                withYaml().withTextEncoderConfig(savedText));
             DiffusersFolder folder = DiffusersFolder.open(tiny, null)) {
            ConfigAssert.derivedMatchesSaved(single.config(PipelineComponent.UNET),
                    folder.config(PipelineComponent.UNET), Map.of());
            ConfigAssert.derivedMatchesSaved(single.config(PipelineComponent.VAE),
                    folder.config(PipelineComponent.VAE), Map.of());
            ConfigAssert.derivedMatchesSaved(single.config(PipelineComponent.SCHEDULER),
                    folder.config(PipelineComponent.SCHEDULER), Map.of("prediction_type", "epsilon"));
            assertEquals(savedText, single.config(PipelineComponent.TEXT_ENCODER));
        }
        try (SingleFileCheckpoint single = SingleFileCheckpoint.open(Fixtures.path("tiny-sd-original.safetensors"),
                withYaml())) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> single.config(PipelineComponent.TEXT_ENCODER));
            assertTrue(e.getMessage().contains("head count cannot be inferred"), e.getMessage());
        }
        JsonConfig wrongLayers = JsonConfig.parse(savedText.node().toString()
                .replace("\"num_hidden_layers\":5", "\"num_hidden_layers\":4"), "wrong.json");
        ConfigException e = assertThrows(ConfigException.class, () -> SingleFileCheckpoint.open(
                Fixtures.path("tiny-sd-original.safetensors"), withYaml().withTextEncoderConfig(wrongLayers)));
        assertTrue(e.getMessage().contains("num_hidden_layers 4 does not match"), e.getMessage());
    }

    /** Without a YAML the shapes give everything but the image size (SD default: 64 latents). */
    @Test
    void configsInferredFromShapesAlone() {
        Path tiny = Fixtures.path("tiny-sd");
        try (SingleFileCheckpoint single = SingleFileCheckpoint.open(Fixtures.path("tiny-sd-original.safetensors"),
                CheckpointOptions.defaults().withPredictionType("v_prediction"));
             DiffusersFolder folder = DiffusersFolder.open(tiny, null)) {
            ConfigAssert.derivedMatchesSaved(single.config(PipelineComponent.UNET),
                    folder.config(PipelineComponent.UNET), Map.of(), "sample_size");
            ConfigAssert.derivedMatchesSaved(single.config(PipelineComponent.VAE),
                    folder.config(PipelineComponent.VAE), Map.of(), "sample_size");
            assertEquals(64, single.config(PipelineComponent.UNET).requiredInt("sample_size"));
            assertEquals(64 * 2, single.config(PipelineComponent.VAE).requiredInt("sample_size"),
                    "latent size 64 x the VAE's down-scale factor 2");
            assertEquals("v_prediction", single.config(PipelineComponent.SCHEDULER).string("prediction_type", ""));
        }
    }

    @Test
    void yamlOfTheOtherFamilyIsRefused() throws IOException {
        Path yaml = dir.resolve("v2.yaml");
        Files.writeString(yaml, Files.readString(Fixtures.path("tiny-sd-original-inference.yaml"))
                .replace("modules.FrozenCLIPEmbedder", "modules.FrozenOpenCLIPEmbedder"));
        WeightsException e = assertThrows(WeightsException.class, () -> SingleFileCheckpoint.open(
                Fixtures.path("tiny-sd-original.safetensors"), CheckpointOptions.defaults().withInferenceYaml(yaml)));
        assertTrue(e.getMessage().contains("the weights are SD1 but"), e.getMessage());
    }

    @Test
    void unmappedKeysAreNamed() throws IOException {
        Path file = dir.resolve("extra.safetensors");
        SafetensorsWriter writer = new SafetensorsWriter();
        try (SafetensorsFile tiny = SafetensorsFile.open(Fixtures.path("tiny-sd-original.safetensors"))) {
            for (String key : tiny.keys()) {
                writer.add(key, tiny.info(key).dtype(), tiny.info(key).shape(), tiny.bytes(key));
            }
            writer.add("model.diffusion_model.input_blocks.9.0.in_layers.0.weight", StoredDtype.F32, new long[]{1},
                    ByteBuffer.allocate(4));
            writer.add("model_ema.decay", StoredDtype.F32, new long[]{}, ByteBuffer.allocate(4));
            writer.write(file);
        }
        WeightsException e = assertThrows(WeightsException.class,
                () -> SingleFileCheckpoint.open(file, withYaml()));
        assertTrue(e.getMessage().contains("do not fit the architecture of the config: "
                + "model.diffusion_model.input_blocks.9.0.in_layers.0.weight"), e.getMessage());
    }

    @Test
    void optionsThatDoNotApplyAreRefused() {
        Path file = Fixtures.path("tiny-sd-original.safetensors");
        assertThrows(WeightsException.class, () -> PipelineCheckpoint.open(file,
                CheckpointOptions.defaults().withVariant("fp16")));
        assertThrows(ConfigException.class, () -> PipelineCheckpoint.open(file,
                CheckpointOptions.defaults().withPredictionType("eps")));
        assertThrows(WeightsException.class, () -> PipelineCheckpoint.open(Fixtures.path("tiny-sd"), withYaml()));
    }

    @Test
    void picklesAreRefused() throws IOException {
        Path ckpt = dir.resolve("model.ckpt");
        Files.write(ckpt, new byte[]{'P', 'K', 3, 4, 0, 0, 8, 8, 0, 0});
        WeightsException e = assertThrows(WeightsException.class,
                () -> SingleFileCheckpoint.open(ckpt, CheckpointOptions.defaults()));
        assertTrue(e.getMessage().contains("execute arbitrary code"), e.getMessage());

        Path disguised = dir.resolve("model.safetensors");
        Files.copy(ckpt, disguised);
        e = assertThrows(WeightsException.class,
                () -> PipelineCheckpoint.open(disguised, CheckpointOptions.defaults()));
        assertTrue(e.getMessage().contains("execute arbitrary code"), e.getMessage());
    }

    /** OpenCLIP's fused in_proj [3C, C] becomes q, k, v in that order; 1x1 conv weights lose their 1s. */
    @Test
    void fusedProjectionsSplitAndConvWeightsSqueezeOnLoad() {
        Path file = dir.resolve("parts.safetensors");
        ByteBuffer qkv = ByteBuffer.allocate(6 * 2 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 12; i++) {
            qkv.putFloat(i);
        }
        String w = OpenClipTextKeyMap.ROOT + "transformer.resblocks.0.attn.in_proj_weight";
        String w1 = OpenClipTextKeyMap.ROOT + "transformer.resblocks.1.attn.in_proj_weight";
        String conv = VaeKeyMap.ROOT + "encoder.mid.attn_1.q.weight";
        new SafetensorsWriter().add(w, StoredDtype.F32, new long[]{6, 2}, qkv.flip())
                .add(conv, StoredDtype.F32, new long[]{2, 2, 1, 1}, qkv.duplicate().limit(16))
                .add(w1, StoredDtype.F32, new long[]{6, 2}, qkv.duplicate())
                .write(file);
        try (SafetensorsFile f = SafetensorsFile.open(file); NDManager m = manager.newSubManager()) {
            Map<String, TensorInfo> infos = Map.of(w, f.info(w), conv, f.info(conv));
            Map<String, MappedTensor> text = OpenClipTextKeyMap.create(1).map(Map.of(w, f.info(w), w1, f.info(w1)),
                    "test");
            MappedTensorSource source = new MappedTensorSource(f, text, "test");
            assertEquals(Set.of("text_model.encoder.layers.0.self_attn.q_proj.weight",
                    "text_model.encoder.layers.0.self_attn.k_proj.weight",
                    "text_model.encoder.layers.0.self_attn.v_proj.weight"), source.keys(), "resblock 1 dropped");
            String[] names = {"q", "k", "v"};
            for (int part = 0; part < 3; part++) {
                String key = "text_model.encoder.layers.0.self_attn." + names[part] + "_proj.weight";
                assertArrayEquals(new long[]{2, 2}, source.info(key).shape());
                assertArrayEquals(new float[]{4 * part, 4 * part + 1, 4 * part + 2, 4 * part + 3},
                        source.load(key, m, DataType.FLOAT32).toFloatArray(), key);
            }
            Map<String, MappedTensor> vae = VaeKeyMap.forConfig(JsonConfig.parse("{\"block_out_channels\": [2],"
                    + "\"layers_per_block\": 1, \"down_block_types\": [\"DownEncoderBlock2D\"],"
                    + "\"up_block_types\": [\"UpDecoderBlock2D\"]}", "vae.json")).map(infos, "test");
            MappedTensorSource vaeSource = new MappedTensorSource(f, vae, "test");
            String q = "encoder.mid_block.attentions.0.to_q.weight";
            assertEquals(Set.of(q), vaeSource.keys());
            assertArrayEquals(new long[]{2, 2}, vaeSource.info(q).shape());
            assertArrayEquals(new float[]{0, 1, 2, 3}, vaeSource.load(q, m, DataType.FLOAT32).toFloatArray());
        }
    }
}
