package dev.ldmforge.jobs.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ldmforge.runtime.io.Npy;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.weights.SafetensorsFile;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 through the command line: every txt2img case of {@code extras-README.md} (LCM at guidance 1 and 2, Euler
 * ancestral with trailing spacing at guidance 0, DPM++ 2M with Karras sigmas and with trailing spacing) reproduced by
 * {@code ldmforge txt2img} from the case's initial latents ({@code --latents}) and generator seed ({@code --seed},
 * which then only draws the step noise), at the fixture tolerances: image atol 2e-4, PNG ±1 on at most 0.1 %.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FewStepCliTest {
    static final String PROMPT = "a red circle on a blue background";

    @TempDir
    static Path dir;

    private SafetensorsFile refs;
    private NDManager manager;

    @BeforeAll
    void open() {
        refs = SafetensorsFile.open(Fixtures.path("refs/tiny-sd-extras-refs.safetensors"));
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    void close() {
        manager.close();
        refs.close();
    }

    private Path initialLatents(String id) {
        Path npy = dir.resolve(id + "-initial-latents.npy");
        if (!Files.exists(npy)) {
            try (NDArray latents = refs.load("extras." + id + ".initial_latents", manager, DataType.FLOAT32)) {
                Npy.write(npy, latents);
            }
        }
        return npy;
    }

    /** txt2img on tiny-sd at 64x64 with the case's latents and generator seed, then {@code extra}. */
    private String[] fixtureCase(String id, long seed, String... extra) {
        List<String> args = new ArrayList<>(List.of("txt2img", "--model", Fixtures.path("tiny-sd").toString(),
                "--prompt", PROMPT, "--width", "64", "--height", "64", "--latents", initialLatents(id).toString(),
                "--seed", Long.toString(seed)));
        Collections.addAll(args, extra);
        return args.toArray(String[]::new);
    }

    private static CliRun succeed(String... args) {
        CliRun run = CliRun.of(args);
        assertEquals(0, run.exitCode(), run.toString());
        return run;
    }

    private void assertMatches(String id, Path npy, Path png) throws IOException {
        FixtureImages.assertImageClose(refs, manager, "extras." + id + ".image", npy, id);
        FixtureImages.assertPngMatches(Fixtures.path("refs/tiny-sd-extras-" + id + ".png"), png);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "lcm_4_g1 | 351 | --scheduler lcm --steps 4 --guidance 1",
            "lcm_4_g2 | 351 | --scheduler lcm --steps 4 --guidance 2",
            "turbo_eulera_trailing_1_g0 | 352 | --scheduler euler-ancestral --timestep-spacing trailing --steps 1 "
                    + "--guidance 0",
            "turbo_eulera_trailing_4_g0 | 352 | --scheduler euler-ancestral --timestep-spacing trailing --steps 4 "
                    + "--guidance 0",
            "dpmpp2m_karras_10 | 353 | --scheduler dpmpp-2m-karras --steps 10 --guidance 7.5 --negative-prompt blurry",
            "dpmpp2m_karras_10 | 353 | --scheduler dpmpp-2m --use-karras-sigmas --steps 10 --guidance 7.5 "
                    + "--negative-prompt blurry",
            "dpmpp2m_trailing_10 | 353 | --scheduler dpmpp-2m --timestep-spacing trailing --steps 10 --guidance 7.5 "
                    + "--negative-prompt blurry"})
    void extrasCasesMatchDiffusers(String id, long seed, String flags) throws IOException {
        String name = id + "-" + Integer.toHexString(flags.hashCode());
        Path npy = dir.resolve(name + ".npy");
        Path png = dir.resolve(name + ".png");
        List<String> extra = new ArrayList<>(List.of(flags.trim().split("\\s+")));
        extra.addAll(List.of("--output-npy", npy.toString(), "--output", png.toString()));
        succeed(fixtureCase(id, seed, extra.toArray(String[]::new)));
        assertMatches(id, npy, png);
    }

    /** The presets are the fixtures' settings: turbo = the 1-step trailing Euler ancestral case, lcm = LCM at g 1. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "turbo_eulera_trailing_1_g0 | 352 | --preset turbo",
            "turbo_eulera_trailing_4_g0 | 352 | --preset turbo --steps 4",
            "lcm_4_g1 | 351 | --preset lcm",
            "lcm_4_g2 | 351 | --preset lcm --guidance 2"})
    void presetsGiveTheFixtureRunsAndFlagsOverrideThem(String id, long seed, String flags) throws IOException {
        String name = "preset-" + id + "-" + Integer.toHexString(flags.hashCode());
        Path npy = dir.resolve(name + ".npy");
        Path png = dir.resolve(name + ".png");
        Path json = dir.resolve(name + ".json");
        List<String> extra = new ArrayList<>(List.of(flags.trim().split("\\s+")));
        extra.addAll(List.of("--output-npy", npy.toString(), "--output", png.toString(), "--metadata-json",
                json.toString()));
        succeed(fixtureCase(id, seed, extra.toArray(String[]::new)));
        assertMatches(id, npy, png);
        JsonNode row = new ObjectMapper().readTree(json.toFile()).get(0);
        JsonNode params = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build()
                .readTree(Fixtures.path("refs/tiny-sd-extras-refs.json").toFile());
        for (JsonNode c : params.get("cases")) {
            if (c.get("id").asText().equals(id)) {
                assertEquals(c.get("params").get("num_inference_steps").asInt(),
                        row.get("num_inference_steps").asInt());
                assertEquals(c.get("params").get("guidance_scale").asDouble(), row.get("guidance_scale").asDouble());
            }
        }
        assertEquals(id.startsWith("lcm") ? "lcm" : "euler-ancestral", row.get("scheduler").asText());
        assertEquals(id.startsWith("lcm") ? "null" : "\"trailing\"", row.get("timestep_spacing").toString());
        assertTrue(row.get("use_karras_sigmas").isNull(), row.toString());
    }

    /**
     * Guidance <= 1 runs the UNet on the text half only: at guidance 0 a negative prompt changes nothing (with CFG
     * the result would be the negative prompt's image), at guidance 1 the image is bit-identical with and without one.
     */
    @Test
    void guidanceAtMostOneIgnoresTheNegativePrompt() throws IOException {
        String id = "turbo_eulera_trailing_4_g0";
        Path npy = dir.resolve("g0-negative.npy");
        Path png = dir.resolve("g0-negative.png");
        succeed(fixtureCase(id, 352, "--preset", "turbo", "--steps", "4", "--negative-prompt", "blurry",
                "--output-npy", npy.toString(), "--output", png.toString()));
        assertMatches(id, npy, png);

        Path with = dir.resolve("g1-with.npy");
        Path without = dir.resolve("g1-without.npy");
        succeed(fixtureCase("lcm_4_g1", 351, "--preset", "lcm", "--negative-prompt", "blurry", "--output-npy",
                with.toString()));
        succeed(fixtureCase("lcm_4_g1", 351, "--preset", "lcm", "--output-npy", without.toString()));
        assertArrayEquals(Files.readAllBytes(without), Files.readAllBytes(with));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--scheduler ddim --use-karras-sigmas | use_karras_sigmas: true is not supported by DDIMScheduler",
            "--preset lcm --timestep-spacing trailing | timestep_spacing: 'trailing' is not supported by LCMScheduler",
            "--use-karras-sigmas | use_karras_sigmas: true is not supported by PNDMScheduler",
            "--timestep-spacing sideways | timestep_spacing: \"sideways\" is not one of leading, linspace, trailing",
            "--preset fast | --preset: unknown preset 'fast'; valid: turbo, lcm, quality"})
    void invalidSchedulerOptionsAreUsageErrorsNamingFieldAndValue(String flags, String message) {
        List<String> args = new ArrayList<>(List.of("txt2img", "--model", Fixtures.path("tiny-sd").toString(),
                "--prompt", PROMPT, "--width", "64", "--height", "64", "--steps", "2", "--output",
                dir.resolve("never.png").toString()));
        args.addAll(List.of(flags.trim().split("\\s+")));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains(message), run.toString());
        assertTrue(!Files.exists(dir.resolve("never.png")));
    }

    /** The speed figures have bench entries (listed, not run: figures come from an idle machine). */
    @Test
    void benchKnowsTheFewStepEntries() {
        CliRun run = CliRun.of("bench", "--only", "no-such-benchmark");
        assertEquals(2, run.exitCode(), run.toString());
        for (String name : List.of("pipeline-tiny-ddim-50", "pipeline-tiny-dpmpp-2m-karras-25", "pipeline-tiny-lcm-4",
                "pipeline-tiny-turbo-1")) {
            assertTrue(run.err().contains(name), name + " in " + run);
        }
    }
}
