package dev.ldmforge.jobs.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.runtime.testing.Fixtures;
import dev.ldmforge.runtime.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad usage is exit code 2 and one line naming the problem; a broken model is exit code 1 naming the file. */
class CliUsageTest {
    @TempDir
    Path dir;

    private static List<String> txt2img(String... extra) {
        List<String> args = new ArrayList<>(List.of("txt2img", "--model", "tiny", "--prompt", "a red circle"));
        Collections.addAll(args, extra);
        return args;
    }

    /** Exit code 2 and exactly one stderr line that mentions {@code mention}. */
    private static void assertUsageError(List<String> args, String mention) {
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertEquals(CliErrors.USAGE, run.exitCode(), run.toString());
        assertEquals(1, run.errLines().size(), run.toString());
        assertTrue(run.errLines().get(0).contains(mention), "stderr should name " + mention + ": " + run);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "--width, 100, width",
        "--steps, 0, num_inference_steps",
        "--scheduler, heun-karras, scheduler",
        "--guidance, 99, guidance_scale",
        "--batch-size, 0, --batch-size",
        "--no-such-option, 1, --no-such-option"})
    void badTxt2ImgArgumentIsAUsageError(String option, String value, String mention) {
        assertUsageError(txt2img(option, value), mention);
    }

    @Test
    void missingPromptIsAUsageError() {
        assertUsageError(List.of("txt2img", "--model", "tiny"), "--prompt");
    }

    @Test
    void img2imgWithoutInitImageIsAUsageError() {
        assertUsageError(List.of("img2img", "--model", "tiny", "--prompt", "a red circle"), "--init-image");
    }

    @Test
    void img2imgStrengthAboveOneIsAUsageError() {
        Path init = Fixtures.path("refs/tiny-sd-img2img-init.png");
        assertUsageError(List.of("img2img", "--model", "tiny", "--prompt", "a red circle", "--steps", "1",
                "--init-image", init.toString(), "--strength", "1.5"), "strength");
    }

    @Test
    void initImageThatIsNoImageIsAUsageError() throws IOException {
        Path notAnImage = Files.writeString(dir.resolve("notes.png"), "these are not pixels");
        assertUsageError(List.of("img2img", "--model", "tiny", "--prompt", "a red circle", "--steps", "1",
                "--init-image", notAnImage.toString()), "--init-image");
    }

    @Test
    void latentsOfTheWrongShapeAreAUsageError() {
        Path latents = dir.resolve("small.npy");
        try (NDManager m = NDManager.newBaseManager()) {
            Npy.write(latents, m.zeros(new Shape(1, 4, 16, 16)));
        }
        // the tiny model makes 64x64 images from [1, 4, 32, 32] latents
        assertUsageError(txt2img("--steps", "1", "--latents", latents.toString()), "latents");
    }

    @Test
    void truncatedSafetensorsFailsNamingTheFile() throws IOException {
        Path truncated = dir.resolve("truncated.safetensors");
        try (InputStream in = Files.newInputStream(Fixtures.path("tiny-sd-original.safetensors"))) {
            Files.write(truncated, in.readNBytes(100_000));
        }
        CliRun run = CliRun.of("txt2img", "--model", truncated.toString(), "--prompt", "a red circle",
                "--tokenizer", Fixtures.path("tokenizer").toString());
        assertEquals(CliErrors.FAILURE, run.exitCode(), run.toString());
        assertEquals(1, run.errLines().size(), run.toString());
        assertTrue(run.errLines().get(0).contains(truncated.toString()), run.toString());
    }

    @Test
    void folderWithOnlyPickledWeightsFailsNamingTheFile() throws IOException {
        Path tiny = Fixtures.path("tiny-sd");
        Path model = dir.resolve("pickled");
        Files.createDirectories(model);
        Files.copy(tiny.resolve("model_index.json"), model.resolve("model_index.json"));
        for (String component : List.of("text_encoder", "unet", "vae", "scheduler", "tokenizer")) {
            Files.createDirectories(model.resolve(component));
        }
        for (String config : List.of("text_encoder/config.json", "unet/config.json", "vae/config.json",
                "scheduler/scheduler_config.json")) {
            Files.copy(tiny.resolve(config), model.resolve(config));
        }
        // a zip archive, as torch.save writes since 1.6
        byte[] zip = {'P', 'K', 3, 4, 0, 0, 0, 0};
        Files.write(model.resolve("text_encoder/pytorch_model.bin"), zip);
        Files.write(model.resolve("unet/diffusion_pytorch_model.bin"), zip);
        Files.write(model.resolve("vae/diffusion_pytorch_model.bin"), zip);
        CliRun run = CliRun.of("txt2img", "--model", model.toString(), "--prompt", "a red circle");
        assertEquals(CliErrors.FAILURE, run.exitCode(), run.toString());
        assertEquals(1, run.errLines().size(), run.toString());
        String line = run.errLines().get(0);
        assertTrue(line.contains("pytorch_model.bin") && line.contains("pickled"), run.toString());
    }

    @ParameterizedTest
    @CsvSource({"txt2img", "img2img", "inspect", "tokenize", "demo-data", "judge-demo", "train-demo", "bench",
            "generate", "stream", "kafka-broker", "produce", "download"})
    void everyCommandsHelpHasExamples(String command) {
        // picocli reports a description it cannot format (a lone '%') on System.err and prints it raw.
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        PrintStream originalErr = System.err;
        CliRun run;
        try {
            System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
            run = CliRun.of(command, "--help");
        } finally {
            System.setErr(originalErr);
        }
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.out().contains("Examples"), run.toString());
        assertEquals("", stderr.toString(StandardCharsets.UTF_8), command + " --help");
    }

    @Test
    void topLevelHelpListsTheCommands() {
        CliRun run = CliRun.of("--help");
        assertEquals(0, run.exitCode(), run.toString());
        for (String command : List.of("txt2img", "img2img", "inspect", "tokenize", "demo-data", "judge-demo",
                "train-demo", "bench")) {
            assertTrue(run.out().contains(command), command + " missing from " + run);
        }
    }

    @Test
    void tokenizePrintsDiffusersIds() {
        CliRun run = CliRun.of("tokenize", "--model", Fixtures.path("tiny-sd").toString(), "--prompt",
                "a photo of a cat", "--json");
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals("{\"input_ids\":[49406,320,1125,539,320,2368,49407],"
                + "\"tokens\":[\"<|startoftext|>\",\"a</w>\",\"photo</w>\",\"of</w>\",\"a</w>\",\"cat</w>\","
                + "\"<|endoftext|>\"],\"truncated\":false}", run.out().strip());
    }

    @Test
    void tokenizeReportsTruncationWithTheFullIds() throws IOException {
        String prompt = String.join(" ", Collections.nCopies(100, "cat"));
        CliRun run = CliRun.of("tokenize", "--model", Fixtures.path("tiny-sd").toString(), "--prompt", prompt,
                "--json");
        assertEquals(0, run.exitCode(), run.toString());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertTrue(json.get("truncated").asBoolean(), run.toString());
        assertEquals(102, json.get("input_ids").size(), "BOS + 100 words + EOS, untruncated");
        assertFalse(json.get("tokens").isEmpty());
    }
}
