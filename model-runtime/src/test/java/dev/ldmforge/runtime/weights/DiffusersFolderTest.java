package dev.ldmforge.runtime.weights;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.ldmforge.runtime.config.ConfigException;
import dev.ldmforge.runtime.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiffusersFolderTest {

    private static final String MODEL_INDEX = """
            {"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.25.1",
             "safety_checker": [null, null], "feature_extractor": [null, null],
             "scheduler": ["diffusers", "DDIMScheduler"], "text_encoder": ["transformers", "CLIPTextModel"],
             "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"],
             "vae": ["diffusers", "AutoencoderKL"]}""";

    @TempDir
    Path root;

    private static NDManager manager;
    private NDArray a;
    private NDArray b;

    @BeforeAll
    static void engine() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void release() {
        manager.close();
    }

    /** A folder whose components each hold tensors a [2,3] and b [4]; unet/vae/text_encoder weights added per test. */
    @BeforeEach
    void folder() throws IOException {
        Files.writeString(root.resolve("model_index.json"), MODEL_INDEX);
        for (PipelineComponent c : PipelineComponent.values()) {
            Files.createDirectories(root.resolve(c.folder()));
        }
        Files.writeString(root.resolve("unet/config.json"), "{\"_class_name\": \"UNet2DConditionModel\"}");
        Files.writeString(root.resolve("vae/config.json"), "{\"_class_name\": \"AutoencoderKL\"}");
        Files.writeString(root.resolve("text_encoder/config.json"), "{\"hidden_size\": 4}");
        Files.writeString(root.resolve("scheduler/scheduler_config.json"), "{\"_class_name\": \"DDIMScheduler\"}");
        a = manager.create(new float[]{1, 2, 3, 4, 5, 6}, new Shape(2, 3));
        b = manager.create(new float[]{-1, -2, -3, -4});
    }

    private void single(String file, DataType type) {
        new SafetensorsWriter().add("a", a.toType(type, false)).add("b", b.toType(type, false))
                .write(root.resolve(file));
    }

    private void sharded(String component, String index, String shard1, String shard2) throws IOException {
        new SafetensorsWriter().add("a", a).write(root.resolve(component).resolve(shard1));
        new SafetensorsWriter().add("b", b).write(root.resolve(component).resolve(shard2));
        Files.writeString(root.resolve(component).resolve(index), "{\"metadata\": {\"total_size\": 40}, "
                + "\"weight_map\": {\"a\": \"" + shard1 + "\", \"b\": \"" + shard2 + "\"}}");
    }

    private void plainWeights() {
        single("unet/diffusion_pytorch_model.safetensors", DataType.FLOAT32);
        single("vae/diffusion_pytorch_model.safetensors", DataType.FLOAT32);
        single("text_encoder/model.safetensors", DataType.FLOAT32);
    }

    private void assertHoldsAB(TensorSource source) {
        assertEquals(Set.of("a", "b"), source.keys());
        assertArrayEquals(a.toFloatArray(), source.load("a", manager, DataType.FLOAT32).toFloatArray());
        assertArrayEquals(b.toFloatArray(), source.load("b", manager, DataType.FLOAT32).toFloatArray());
    }

    @Test
    void plainFolderOpensWithConfigs() {
        plainWeights();
        try (DiffusersFolder folder = DiffusersFolder.open(root, null)) {
            for (PipelineComponent c : Set.of(PipelineComponent.UNET, PipelineComponent.VAE,
                    PipelineComponent.TEXT_ENCODER)) {
                assertHoldsAB(folder.weights(c));
            }
            assertEquals("DDIMScheduler", folder.config(PipelineComponent.SCHEDULER).string("_class_name", null));
            assertEquals(4, folder.config(PipelineComponent.TEXT_ENCODER).requiredInt("hidden_size"));
            assertEquals(root.resolve("tokenizer"), folder.tokenizerDirectory().orElseThrow());
        }
    }

    @Test
    void configsAloneNeedNoWeightFiles() {
        assertThrows(WeightsException.class, () -> DiffusersFolder.open(root, null));
        try (PipelineCheckpoint folder = PipelineCheckpoint.openConfigs(root, CheckpointOptions.defaults())) {
            assertEquals(4, folder.config(PipelineComponent.TEXT_ENCODER).requiredInt("hidden_size"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> folder.weights(PipelineComponent.UNET));
            assertTrue(e.getMessage().contains("configs only"), e.getMessage());
        }
    }

    @Test
    void shardedWeightsReadThroughTheIndex() throws IOException {
        plainWeights();
        Files.delete(root.resolve("unet/diffusion_pytorch_model.safetensors"));
        sharded("unet", "diffusion_pytorch_model.safetensors.index.json",
                "diffusion_pytorch_model-00001-of-00002.safetensors",
                "diffusion_pytorch_model-00002-of-00002.safetensors");
        try (DiffusersFolder folder = DiffusersFolder.open(root, null)) {
            assertTrue(folder.weightFile(PipelineComponent.UNET).toString().endsWith(".index.json"));
            assertHoldsAB(folder.weights(PipelineComponent.UNET));
        }
    }

    @Test
    void shardIndexIsValidated() throws IOException {
        Path dir = root.resolve("unet");
        sharded("unet", "x.safetensors.index.json", "s1.safetensors", "s2.safetensors");
        Path index = dir.resolve("x.safetensors.index.json");

        Files.writeString(index, "{\"weight_map\": {\"a\": \"s1.safetensors\", \"b\": \"missing.safetensors\"}}");
        assertMessage(index, "shard missing.safetensors does not exist");

        Files.writeString(index, "{\"weight_map\": {\"a\": \"s1.safetensors\", \"b\": \"s1.safetensors\"}}");
        assertMessage(index, "puts tensor b in s1.safetensors, which does not hold it");


        Files.writeString(index, "{\"weight_map\": {\"a\": \"s1.safetensors\", \"b\": \"../s2.safetensors\"}}");
        assertMessage(index, "is not a plain file name");

        Files.writeString(index, "{\"weight_map\": {\"a\": \"s1.safetensors\", \"b\": \"s2.bin\"}}");
        assertMessage(index, "execute arbitrary code");

        Files.writeString(index, "{\"weight_map\": {}}");
        assertMessage(index, "non-empty weight_map");

        new SafetensorsWriter().add("a", a).add("extra", b).write(dir.resolve("s1.safetensors"));
        Files.writeString(index, "{\"weight_map\": {\"a\": \"s1.safetensors\", \"b\": \"s2.safetensors\"}}");
        assertMessage(index, "shard s1.safetensors holds tensor extra, which the weight_map does not list");
    }

    private static void assertMessage(Path index, String... expected) {
        WeightsException e = assertThrows(WeightsException.class, () -> ShardedSafetensors.open(index).close());
        assertTrue(e.getMessage().startsWith(index.toString()), e.getMessage());
        for (String s : expected) {
            assertTrue(e.getMessage().contains(s), "'" + s + "' in: " + e.getMessage());
        }
    }

    @Test
    void variantSelectsTheVariantFiles() throws IOException {
        plainWeights();
        single("unet/diffusion_pytorch_model.fp16.safetensors", DataType.FLOAT16);
        single("text_encoder/model.fp16.safetensors", DataType.FLOAT16);
        Files.writeString(root.resolve("vae/diffusion_pytorch_model.safetensors.index.fp16.json"),
                "{\"weight_map\": {\"a\": \"diffusion_pytorch_model.fp16-00001-of-00002.safetensors\", "
                        + "\"b\": \"diffusion_pytorch_model.fp16-00002-of-00002.safetensors\"}}");
        new SafetensorsWriter().add("a", a.toType(DataType.FLOAT16, false))
                .write(root.resolve("vae/diffusion_pytorch_model.fp16-00001-of-00002.safetensors"));
        new SafetensorsWriter().add("b", b.toType(DataType.FLOAT16, false))
                .write(root.resolve("vae/diffusion_pytorch_model.fp16-00002-of-00002.safetensors"));

        try (DiffusersFolder plain = DiffusersFolder.open(root, null)) {
            for (PipelineComponent c : Set.of(PipelineComponent.UNET, PipelineComponent.VAE,
                    PipelineComponent.TEXT_ENCODER)) {
                assertEquals(StoredDtype.F32, plain.weights(c).info("a").dtype(), c.folder());
            }
        }
        try (DiffusersFolder fp16 = DiffusersFolder.open(root, "fp16")) {
            for (PipelineComponent c : Set.of(PipelineComponent.UNET, PipelineComponent.VAE,
                    PipelineComponent.TEXT_ENCODER)) {
                TensorSource w = fp16.weights(c);
                assertEquals(StoredDtype.F16, w.info("a").dtype(), c.folder());
                assertHoldsAB(w);
            }
        }
        WeightsException missing = assertThrows(WeightsException.class, () -> DiffusersFolder.open(root, "bf16"));
        assertTrue(missing.getMessage().contains("no weights for variant bf16"), missing.getMessage());
    }

    @Test
    void onlyVariantFilesNeedTheVariant() {
        plainWeights();
        single("unet/diffusion_pytorch_model.fp16.safetensors", DataType.FLOAT16);
        root.resolve("unet/diffusion_pytorch_model.safetensors").toFile().delete();
        WeightsException e = assertThrows(WeightsException.class, () -> DiffusersFolder.open(root, null));
        assertTrue(e.getMessage().contains("pass the variant"), e.getMessage());
        assertTrue(e.getMessage().contains("diffusion_pytorch_model.fp16.safetensors"), e.getMessage());
    }

    @Test
    void picklesAreRefusedWithTheReason() throws IOException {
        plainWeights();
        Files.delete(root.resolve("vae/diffusion_pytorch_model.safetensors"));
        Files.write(root.resolve("vae/diffusion_pytorch_model.bin"), new byte[]{(byte) 0x80, 2, 'c'});
        WeightsException e = assertThrows(WeightsException.class, () -> DiffusersFolder.open(root, null));
        assertTrue(e.getMessage().contains("holds only pickled weights (diffusion_pytorch_model.bin)"),
                e.getMessage());
        assertTrue(e.getMessage().contains("execute arbitrary code"), e.getMessage());

        single("vae/diffusion_pytorch_model.safetensors", DataType.FLOAT32);
        try (DiffusersFolder folder = DiffusersFolder.open(root, null)) {
            assertTrue(folder.weightFile(PipelineComponent.VAE).toString().endsWith(".safetensors"),
                    "a pickle beside the safetensors file is ignored");
        }
    }

    @Test
    void modelIndexIsValidated() throws IOException {
        plainWeights();
        Files.writeString(root.resolve("model_index.json"), MODEL_INDEX.replace(
                "\"vae\": [\"diffusers\", \"AutoencoderKL\"]", "\"vae\": [null, null]"));
        ConfigException e = assertThrows(ConfigException.class, () -> DiffusersFolder.open(root, null));
        assertTrue(e.getMessage().contains("component vae must be [library, class]"), e.getMessage());

        Files.writeString(root.resolve("model_index.json"), MODEL_INDEX.replace("UNet2DConditionModel",
                "UNet2DModel"));
        e = assertThrows(ConfigException.class, () -> DiffusersFolder.open(root, null));
        assertTrue(e.getMessage().contains("unsupported value for unet: UNet2DModel"), e.getMessage());

        Files.writeString(root.resolve("model_index.json"), MODEL_INDEX);
        Files.delete(root.resolve("scheduler/scheduler_config.json"));
        Files.delete(root.resolve("scheduler"));
        WeightsException w = assertThrows(WeightsException.class, () -> DiffusersFolder.open(root, null));
        assertTrue(w.getMessage().contains("names scheduler but the folder"), w.getMessage());
    }

    @Test
    void tinySdFixtureOpens() {
        Path tiny = Fixtures.path("tiny-sd");
        try (PipelineCheckpoint folder = PipelineCheckpoint.open(tiny, CheckpointOptions.defaults())) {
            assertEquals(304, folder.weights(PipelineComponent.UNET).keys().size());
            assertEquals(124, folder.weights(PipelineComponent.VAE).keys().size());
            assertEquals(84, folder.weights(PipelineComponent.TEXT_ENCODER).keys().size());
            assertEquals(8, folder.config(PipelineComponent.UNET).requiredInt("attention_head_dim"));
            assertEquals("PNDMScheduler", folder.config(PipelineComponent.SCHEDULER).string("_class_name", ""));
        }
    }
}
