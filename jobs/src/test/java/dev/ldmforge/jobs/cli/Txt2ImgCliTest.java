package dev.ldmforge.jobs.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.jobs.images.Png;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.io.Npy;
import dev.ldmforge.runtime.pipeline.RgbImage;
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
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 3 "done when", through the command line: the fixture pipelines (diffusers 0.25.1, tiny-sd) reproduced by
 * {@code ldmforge txt2img} / {@code img2img}, from the diffusers folder and from the single-file checkpoint. Fixture
 * README tolerances: pipeline image atol 2e-4; PNG ±1 on at most 0.1 % of values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Txt2ImgCliTest {
    static final String PROMPT = "a red circle on a blue background";

    @TempDir
    static Path dir;

    private SafetensorsFile refs;
    private NDManager manager;
    private Path initialLatents;

    @BeforeAll
    void writeInitialLatents() {
        refs = SafetensorsFile.open(Fixtures.path("refs/tiny-sd-refs.safetensors"));
        manager = NDManager.newBaseManager();
        initialLatents = dir.resolve("initial-latents.npy");
        try (NDArray latents = refs.load("pipeline.initial_latents", manager, DataType.FLOAT32)) {
            Npy.write(initialLatents, latents);
        }
    }

    @AfterAll
    void close() {
        manager.close();
        refs.close();
    }

    /** The fixture case's arguments (prompt, negative prompt, 8 steps, CFG 7.5, 64x64) followed by {@code extra}. */
    private static String[] fixtureCase(String command, String model, String... extra) {
        List<String> args = new ArrayList<>(List.of(command, "--model", model, "--prompt", PROMPT,
                "--negative-prompt", "blurry", "--steps", "8", "--guidance", "7.5", "--width", "64",
                "--height", "64"));
        Collections.addAll(args, extra);
        return args.toArray(String[]::new);
    }

    private static String tinySd() {
        return Fixtures.path("tiny-sd").toString();
    }

    private static CliRun succeed(String... args) {
        CliRun run = CliRun.of(args);
        assertEquals(0, run.exitCode(), run.toString());
        return run;
    }

    @ParameterizedTest
    @CsvSource({"ddim, ddim", "euler, euler", "dpmpp-2m, dpmpp2m"})
    void txt2imgFromSavedLatentsMatchesDiffusers(String scheduler, String fixture) throws IOException {
        Path npy = dir.resolve(fixture + ".npy");
        Path png = dir.resolve(fixture + ".png");
        succeed(fixtureCase("txt2img", tinySd(), "--scheduler", scheduler, "--latents", initialLatents.toString(),
                "--output-npy", npy.toString(), "--output", png.toString()));
        FixtureImages.assertImageClose(refs, manager, "pipeline." + fixture + ".image", npy, scheduler);
        FixtureImages.assertPngMatches(Fixtures.path("refs/tiny-sd-" + fixture + ".png"), png);
    }

    @Test
    void seedAloneGivesTheDdimImageAndRerunsAreByteIdentical() throws IOException {
        Path first = dir.resolve("seed-first.png");
        Path again = dir.resolve("seed-again.png");
        Path npy = dir.resolve("seed.npy");
        succeed(fixtureCase("txt2img", tinySd(), "--scheduler", "ddim", "--seed", "104", "--output",
                first.toString(), "--output-npy", npy.toString()));
        succeed(fixtureCase("txt2img", tinySd(), "--scheduler", "ddim", "--seed", "104", "--output",
                again.toString()));
        FixtureImages.assertImageClose(refs, manager, "pipeline.ddim.image", npy, "seed 104");
        FixtureImages.assertPngMatches(Fixtures.path("refs/tiny-sd-ddim.png"), first);
        assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(again), "rerun PNG bytes");

        Map<String, String> text = Png.readText(Files.readAllBytes(first));
        assertEquals(PROMPT, text.get("prompt"));
        assertEquals("104", text.get("seed"));
        assertEquals("8", text.get("num_inference_steps"));

        Path numbered = dir.resolve("many.png");
        Path metadata = dir.resolve("many.json");
        succeed(fixtureCase("txt2img", tinySd(), "--scheduler", "ddim", "--seed", "104", "--num-images", "3",
                "--output", numbered.toString(), "--metadata-json", metadata.toString()));
        for (int i = 0; i < 3; i++) {
            assertTrue(Files.isRegularFile(dir.resolve("many-" + i + ".png")), "many-" + i + ".png");
        }
        assertArrayEquals(decode(first).pixels(), decode(dir.resolve("many-0.png")).pixels(),
                "image 0 of --num-images 3 equals the single-image run");
        assertEquals("105", Png.readText(Files.readAllBytes(dir.resolve("many-1.png"))).get("seed"));

        JsonNode rows = new ObjectMapper().readTree(metadata.toFile());
        assertEquals(3, rows.size(), rows.toString());
        for (int i = 0; i < 3; i++) {
            assertEquals(i, rows.get(i).get("image_index").asInt());
            assertEquals(104 + i, rows.get(i).get("seed").asLong());
            assertEquals(PROMPT, rows.get(i).get("prompt").asText());
        }
    }

    @Test
    void img2imgMatchesDiffusers() throws IOException {
        Path npy = dir.resolve("img2img.npy");
        Path png = dir.resolve("img2img.png");
        succeed(fixtureCase("img2img", tinySd(), "--init-image",
                Fixtures.path("refs/tiny-sd-img2img-init.png").toString(), "--strength", "0.6", "--seed", "105",
                "--scheduler", "ddim", "--output-npy", npy.toString(), "--output", png.toString()));
        FixtureImages.assertImageClose(refs, manager, "img2img.image", npy, "img2img");
        FixtureImages.assertPngMatches(Fixtures.path("refs/tiny-sd-img2img.png"), png);
    }

    @Test
    void singleFileCheckpointMatchesDiffusers() {
        Path npy = dir.resolve("single-file.npy");
        succeed(fixtureCase("txt2img", Fixtures.path("tiny-sd-original.safetensors").toString(),
                "--original-config", Fixtures.path("tiny-sd-original-inference.yaml").toString(),
                "--text-encoder-config", Fixtures.path("tiny-sd/text_encoder/config.json").toString(),
                "--tokenizer", Fixtures.path("tokenizer").toString(),
                "--scheduler", "ddim", "--latents", initialLatents.toString(), "--output-npy", npy.toString()));
        FixtureImages.assertImageClose(refs, manager, "pipeline.ddim.image", npy, "single file");
    }


    private static RgbImage decode(Path png) throws IOException {
        return Png.decode(Files.readAllBytes(png), png.toString());
    }

}
