package dev.ldmforge.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.runtime.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4 "done when", through {@code ldmforge inspect}: the real-size SD 1.5 and SD 2.1-base configs saved in the
 * fixture manifests give diffusers' parameter counts with no weights present, and full loads report their hash.
 */
class InspectCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** SD 1.5's scheduler_config.json (the keys tiny-sd's copy of it has). */
    private static final String SD15_SCHEDULER = """
            {"_class_name": "PNDMScheduler", "beta_start": 0.00085, "beta_end": 0.012,
             "beta_schedule": "scaled_linear", "num_train_timesteps": 1000, "set_alpha_to_one": false,
             "skip_prk_steps": true, "steps_offset": 1, "clip_sample": false, "trained_betas": null}""";

    /** SD 2.1-base's: the same schedule, with its explicit epsilon prediction type. */
    private static final String SD21BASE_SCHEDULER = """
            {"_class_name": "PNDMScheduler", "beta_start": 0.00085, "beta_end": 0.012,
             "beta_schedule": "scaled_linear", "num_train_timesteps": 1000, "set_alpha_to_one": false,
             "skip_prk_steps": true, "steps_offset": 1, "clip_sample": false, "trained_betas": null,
             "prediction_type": "epsilon"}""";

    static final String MODEL_INDEX = """
            {"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.25.1",
             "feature_extractor": [null, null], "safety_checker": [null, null], "requires_safety_checker": false,
             "scheduler": ["diffusers", "%s"], "text_encoder": ["transformers", "CLIPTextModel"],
             "tokenizer": ["transformers", "CLIPTokenizer"], "unet": ["diffusers", "UNet2DConditionModel"],
             "vae": ["diffusers", "AutoencoderKL"]}""";

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({
        "sd15, SD1, 859520964, 83653863, 123060480",
        "sd21base, SD2, 865910724, 83653863, 340387840"})
    void configOnlyCountsEqualTheManifests(String manifest, String family, long unet, long vae, long textEncoder)
            throws IOException {
        JsonNode m = JSON.readTree(Fixtures.path("manifests/" + manifest + ".json").toFile());
        Path folder = dir.resolve(manifest);
        for (String component : List.of("unet", "vae", "text_encoder")) {
            write(folder.resolve(component).resolve("config.json"), m.get(component).get("config.json").toString());
        }
        write(folder.resolve("scheduler/scheduler_config.json"),
                manifest.equals("sd15") ? SD15_SCHEDULER : SD21BASE_SCHEDULER);
        write(folder.resolve("model_index.json"), MODEL_INDEX.formatted("PNDMScheduler"));
        Files.createDirectories(folder.resolve("tokenizer"));

        CliRun run = CliRun.of("inspect", "--config-only", "--json", "--model", folder.toString());
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode report = JSON.readTree(run.out());
        assertEquals(family, report.get("family").asText());
        assertTrue(report.get("configOnly").asBoolean());
        JsonNode components = report.get("components");
        assertEquals(unet, components.get("unet").get("parameters").asLong(), "unet");
        assertEquals(vae, components.get("vae").get("parameters").asLong(), "vae");
        assertEquals(textEncoder, components.get("text_encoder").get("parameters").asLong(), "text_encoder");
        for (String component : List.of("unet", "vae", "text_encoder")) {
            assertEquals(m.get(component).get("n_parameters").asLong(),
                    components.get(component).get("parameters").asLong(), component + " vs the manifest");
        }
        assertEquals("epsilon", components.get("scheduler").get("architecture").get("prediction_type").asText());
    }

    /** SDXL base 1.0's scheduler_config.json (the keys tiny-sdxl's copy of it has). */
    private static final String SDXL_SCHEDULER = """
            {"_class_name": "EulerDiscreteScheduler", "beta_start": 0.00085, "beta_end": 0.012,
             "beta_schedule": "scaled_linear", "clip_sample": false, "interpolation_type": "linear",
             "num_train_timesteps": 1000, "prediction_type": "epsilon", "sample_max_value": 1.0,
             "set_alpha_to_one": false, "skip_prk_steps": true, "steps_offset": 1, "timestep_spacing": "leading",
             "trained_betas": null, "use_karras_sigmas": false}""";

    /** Issue 16: the real SDXL base configs give the manifest's parameter counts, two text encoders included. */
    @Test
    void sdxlBaseConfigOnlyCountsEqualTheManifest() throws IOException {
        JsonNode m = JSON.readTree(Fixtures.path("manifests/sdxl-base.json").toFile());
        Path folder = dir.resolve("sdxl-base");
        List<String> networks = List.of("unet", "vae", "text_encoder", "text_encoder_2");
        for (String component : networks) {
            write(folder.resolve(component).resolve("config.json"), m.get(component).get("config.json").toString());
        }
        write(folder.resolve("scheduler/scheduler_config.json"), SDXL_SCHEDULER);
        write(folder.resolve("model_index.json"), Files.readString(Fixtures.path("tiny-sdxl/model_index.json")));
        Files.createDirectories(folder.resolve("tokenizer"));
        Files.createDirectories(folder.resolve("tokenizer_2"));

        CliRun run = CliRun.of("inspect", "--config-only", "--json", "--model", folder.toString());
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode report = JSON.readTree(run.out());
        assertEquals("SDXL", report.get("family").asText());
        assertEquals(1024, report.get("defaultImageSize").asInt());
        JsonNode components = report.get("components");
        assertEquals(2_567_463_684L, components.get("unet").get("parameters").asLong(), "unet");
        assertEquals(694_659_840L, components.get("text_encoder_2").get("parameters").asLong(), "text_encoder_2");
        assertEquals("CLIPTextModelWithProjection", components.get("text_encoder_2").get("className").asText());
        for (String component : networks) {
            assertEquals(m.get(component).get("n_parameters").asLong(),
                    components.get(component).get("parameters").asLong(), component + " vs the manifest");
        }
        assertEquals("text_time", components.get("unet").get("architecture").get("addition_embed_type").asText());
        assertEquals("EulerDiscreteScheduler", components.get("scheduler").get("className").asText());
    }

    @Test
    void tinySdxlFullLoad() {
        CliRun run = CliRun.of("inspect", "--model", Fixtures.path("tiny-sdxl").toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("family:  SDXL"), run.toString());
        assertTrue(run.out().contains("text_encoder_2 (CLIPTextModelWithProjection)"), run.toString());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("weights: sha256 [0-9a-f]{64}")), run.toString());
    }

    @Test
    void fullLoadPrintsTheWeightsHash() {
        CliRun run = CliRun.of("inspect", "--model", Fixtures.path("tiny-sd").toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("weights: sha256 [0-9a-f]{64}")), run.toString());
        assertTrue(run.out().contains("family:  SD1"), run.toString());
    }

    @Test
    void builtInTinyModelAsJson() throws IOException {
        CliRun run = CliRun.of("inspect", "--model", "tiny", "--json");
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode report = JSON.readTree(run.out());
        assertEquals("SD1", report.get("family").asText());
        assertFalse(report.get("configOnly").asBoolean());
        assertTrue(report.get("weightsSha256").asText().matches("[0-9a-f]{64}"), run.toString());
        assertTrue(report.get("components").get("unet").get("parameters").asLong() > 0, run.toString());
    }

    /** Issue 13: config-only reads only the networks' configs, so a model_index.json without tokenizer works. */
    @Test
    void configOnlyNeedsNoTokenizerNorSchedulerEntry() throws IOException {
        Path tiny = Fixtures.path("tiny-sd");
        Path folder = dir.resolve("networks-only");
        for (String component : List.of("unet", "vae", "text_encoder")) {
            write(folder.resolve(component).resolve("config.json"),
                    Files.readString(tiny.resolve(component).resolve("config.json")));
        }
        write(folder.resolve("model_index.json"), """
                {"_class_name": "StableDiffusionPipeline", "_diffusers_version": "0.25.1",
                 "text_encoder": ["transformers", "CLIPTextModel"], "unet": ["diffusers", "UNet2DConditionModel"],
                 "vae": ["diffusers", "AutoencoderKL"]}""");

        CliRun run = CliRun.of("inspect", "--config-only", "--json", "--model", folder.toString());
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode report = JSON.readTree(run.out());
        assertEquals("SD1", report.get("family").asText());
        assertTrue(report.get("components").get("unet").get("parameters").asLong() > 0, run.toString());
        assertTrue(report.get("components").get("text_encoder").get("parameters").asLong() > 0, run.toString());
    }

    /** Issue 13: inspecting a single file tokenizes nothing, so it needs no --tokenizer (nor a cached one). */
    @Test
    void singleFileInspectsWithoutATokenizer() {
        CliRun run = CliRun.of("inspect", "--model", Fixtures.path("tiny-sd-original.safetensors").toString(),
                "--original-config", Fixtures.path("tiny-sd-original-inference.yaml").toString(),
                "--text-encoder-config", Fixtures.path("tiny-sd/text_encoder/config.json").toString());
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("family:  SD1"), run.toString());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("weights: sha256 [0-9a-f]{64}")), run.toString());
    }

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }
}
