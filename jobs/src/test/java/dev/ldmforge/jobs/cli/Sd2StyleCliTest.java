package dev.ldmforge.jobs.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ldmforge.runtime.config.JsonConfig;
import dev.ldmforge.runtime.io.Npy;
import dev.ldmforge.runtime.nn.Parameter;
import dev.ldmforge.runtime.nn.Parameters;
import dev.ldmforge.runtime.textencoder.ClipTextConfig;
import dev.ldmforge.runtime.textencoder.ClipTextModel;
import dev.ldmforge.runtime.tokenizer.TinyVocabulary;
import dev.ldmforge.runtime.unet.UNet2DConditionConfig;
import dev.ldmforge.runtime.unet.UNet2DConditionModel;
import dev.ldmforge.runtime.vae.AutoencoderKL;
import dev.ldmforge.runtime.vae.AutoencoderKLConfig;
import dev.ldmforge.runtime.weights.SafetensorsWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An SD 2.x-style diffusers folder (OpenCLIP-style gelu text encoder, linear transformer projections, per-level head
 * counts, upcast attention, v-prediction scheduler, pad token {@code !}) with small random weights, built here from
 * a fixed seed. No diffusers reference exists for this variant: this test proves that such a model is read from its
 * configs and runs through the CLI with every scheduler family, finite and reproducible; it does not prove its
 * numbers (the tiny-sd fixtures do that for the shared code).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Sd2StyleCliTest {
    private static final long SEED = 20251128L;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;

    private Path model;
    private final Map<String, Long> writtenParameters = new HashMap<>();

    @BeforeAll
    void buildModel() throws IOException {
        model = dir.resolve("sd2-style");
        TinyVocabulary vocabulary = TinyVocabulary.generate();
        Path tokenizer = model.resolve("tokenizer");
        vocabulary.writeTo(tokenizer);
        ObjectNode special = (ObjectNode) JSON.readTree(tokenizer.resolve("special_tokens_map.json").toFile());
        special.put("pad_token", "!");
        Files.writeString(tokenizer.resolve("special_tokens_map.json"), special.toString());

        String text = """
                {"architectures": ["CLIPTextModel"], "hidden_size": 32, "intermediate_size": 37,
                 "num_hidden_layers": 2, "num_attention_heads": 4, "max_position_embeddings": 77,
                 "vocab_size": %d, "hidden_act": "gelu", "layer_norm_eps": 1e-5, "projection_dim": 32,
                 "bos_token_id": 0, "eos_token_id": 2, "pad_token_id": 1, "model_type": "clip_text_model"}"""
                .formatted(vocabulary.size());
        String unet = """
                {"_class_name": "UNet2DConditionModel", "sample_size": 32, "in_channels": 4, "out_channels": 4,
                 "block_out_channels": [32, 64], "layers_per_block": 1,
                 "down_block_types": ["CrossAttnDownBlock2D", "DownBlock2D"],
                 "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D"],
                 "cross_attention_dim": 32, "attention_head_dim": [2, 4], "use_linear_projection": true,
                 "upcast_attention": true, "norm_num_groups": 32}""";
        String vae = """
                {"_class_name": "AutoencoderKL", "in_channels": 3, "out_channels": 3, "latent_channels": 4,
                 "block_out_channels": [32, 64], "layers_per_block": 1,
                 "down_block_types": ["DownEncoderBlock2D", "DownEncoderBlock2D"],
                 "up_block_types": ["UpDecoderBlock2D", "UpDecoderBlock2D"],
                 "norm_num_groups": 32, "sample_size": 64, "scaling_factor": 0.18215}""";
        // Stable Diffusion 2.1 (768, v-prediction)'s scheduler settings.
        String scheduler = """
                {"_class_name": "DDIMScheduler", "beta_start": 0.00085, "beta_end": 0.012,
                 "beta_schedule": "scaled_linear", "num_train_timesteps": 1000, "clip_sample": false,
                 "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1,
                 "prediction_type": "v_prediction"}""";
        InspectCliTest.write(model.resolve("text_encoder/config.json"), text);
        InspectCliTest.write(model.resolve("unet/config.json"), unet);
        InspectCliTest.write(model.resolve("vae/config.json"), vae);
        InspectCliTest.write(model.resolve("scheduler/scheduler_config.json"), scheduler);
        InspectCliTest.write(model.resolve("model_index.json"), InspectCliTest.MODEL_INDEX.formatted("DDIMScheduler"));

        Parameters textParams = new Parameters();
        new ClipTextModel(ClipTextConfig.from(JsonConfig.parse(text, "text_encoder")), textParams.root());
        writeWeights(textParams, "text_encoder", "model.safetensors", 1);
        Parameters unetParams = new Parameters();
        new UNet2DConditionModel(UNet2DConditionConfig.from(JsonConfig.parse(unet, "unet")), unetParams);
        writeWeights(unetParams, "unet", "diffusion_pytorch_model.safetensors", 2);
        Parameters vaeParams = new Parameters();
        new AutoencoderKL(AutoencoderKLConfig.from(JsonConfig.parse(vae, "vae")), vaeParams);
        writeWeights(vaeParams, "vae", "diffusion_pytorch_model.safetensors", 3);
    }

    /** PyTorch-like initialisation (uniform ±1/sqrt(fan_in), norms 1, biases 0) from a fixed Java seed. */
    private void writeWeights(Parameters params, String component, String file, int salt) {
        try (NDManager m = NDManager.newBaseManager()) {
            params.initRandom(m, DataType.FLOAT32, SEED + salt, Parameters.Initializer.pytorchLike());
            SafetensorsWriter writer = new SafetensorsWriter();
            for (Parameter p : params.all()) {
                writer.add(p.key(), p.array());
            }
            writer.write(model.resolve(component).resolve(file));
        }
        writtenParameters.put(component, params.count());
    }

    @Test
    void inspectReportsAnSd2ModelFromItsFiles() throws IOException {
        CliRun run = CliRun.of("inspect", "--model", model.toString(), "--json");
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode report = JSON.readTree(run.out());
        assertEquals("SD2", report.get("family").asText());
        JsonNode components = report.get("components");
        for (String component : writtenParameters.keySet()) {
            assertEquals(writtenParameters.get(component), components.get(component).get("parameters").asLong(),
                    component + ": parameters in the written weights");
            List<String> dtypes = new ArrayList<>();
            components.get(component).get("storedDtypes").fieldNames().forEachRemaining(dtypes::add);
            assertEquals(List.of("F32"), dtypes, component + ": stored dtypes");
        }
        JsonNode unet = components.get("unet").get("architecture");
        assertEquals("[2, 4]", unet.get("attention_heads").asText());
        assertTrue(unet.get("use_linear_projection").asBoolean());
        assertTrue(unet.get("upcast_attention").asBoolean());
        assertEquals("gelu", components.get("text_encoder").get("architecture").get("hidden_act").asText());
        assertEquals("v_prediction",
                components.get("scheduler").get("architecture").get("prediction_type").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ddim", "euler", "dpmpp-2m"})
    void txt2imgRunsFiniteAndReproducible(String scheduler) throws IOException {
        Path first = dir.resolve(scheduler + "-1.png");
        Path again = dir.resolve(scheduler + "-2.png");
        Path npy = dir.resolve(scheduler + ".npy");
        for (Path png : new Path[] {first, again}) {
            CliRun run = CliRun.of("txt2img", "--model", model.toString(), "--prompt", "a red circle on a blue "
                    + "background", "--negative-prompt", "blurry", "--steps", "3", "--seed", "7", "--scheduler",
                    scheduler, "--output", png.toString(), "--output-npy", npy.toString());
            assertEquals(0, run.exitCode(), run.toString());
        }
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(again), scheduler + ": rerun PNG bytes");
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray image = Npy.read(npy, m);
            assertEquals(new Shape(1, 64, 64, 3), image.getShape());
            float[] values = image.toFloatArray();
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float v : values) {
                assertTrue(Float.isFinite(v), scheduler + ": non-finite pixel");
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            assertTrue(max > min, scheduler + ": a constant image");
        }
    }
}
