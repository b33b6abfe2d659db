package dev.ldmforge.jobs.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.jobs.images.Png;
import dev.ldmforge.runtime.demo.ShapeScenes;
import dev.ldmforge.runtime.pipeline.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code demo-data}, {@code train-demo} and {@code judge-demo} through the command line. */
class DemoCliTest {
    @TempDir
    Path dir;

    @Test
    void demoDataIsByteIdenticalForTheSameSeed() throws IOException {
        for (String run : List.of("a", "b")) {
            CliRun r = CliRun.of("demo-data", "--output", dir.resolve(run).toString(), "--count", "12");
            assertEquals(0, r.exitCode(), r.toString());
        }
        assertEquals(0, CliRun.of("demo-data", "--output", dir.resolve("c").toString(), "--count", "12",
                "--seed", "1").exitCode());
        for (String file : List.of("prompts.jsonl", "images/0.png", "images/11.png")) {
            assertArrayEquals(Files.readAllBytes(dir.resolve("a").resolve(file)),
                    Files.readAllBytes(dir.resolve("b").resolve(file)), file);
        }
        assertFalse(Files.readString(dir.resolve("a/prompts.jsonl"))
                .equals(Files.readString(dir.resolve("c/prompts.jsonl"))));

        List<String> lines = Files.readAllLines(dir.resolve("a/prompts.jsonl"));
        assertEquals(12, lines.size());
        JsonNode first = new ObjectMapper().readTree(lines.get(3));
        assertEquals(ShapeScenes.scene(0, 3).caption(), first.get("prompt").asText());
        assertEquals("images/3.png", first.get("metadata").get("image").asText());
        byte[] png = Files.readAllBytes(dir.resolve("a/images/3.png"));
        RgbImage image = Png.decode(png, "3.png");
        assertEquals(32, image.width());
        assertArrayEquals(ShapeScenes.scene(0, 3).render(32).pixels(), image.pixels());
        assertEquals(ShapeScenes.scene(0, 3).caption(), Png.readText(png).get("prompt"));
    }

    @Test
    void trainDemoWritesAModelThatJudgeDemoLoadsAndRefusesBadUsage() throws IOException {
        Path model = dir.resolve("model");
        CliRun r = CliRun.of("train-demo", "--output", model.toString(), "--seed", "3", "--autoencoder-steps", "2",
                "--unet-steps", "2", "--batch-size", "2");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("autoencoder") && r.out().contains("2/2"), r.out());
        assertTrue(Files.isRegularFile(model.resolve("loss-curve.png")));
        CliRun judged = CliRun.of("judge-demo", "--model", model.toString(), "--schedulers", "ddim", "--steps", "2",
                "--captions", "3", "--guidance", "1");
        assertEquals(0, judged.exitCode(), judged.toString());

        assertEquals(2, CliRun.of("train-demo", "--output", model.toString()).exitCode(), "output not empty");
        assertEquals(2, CliRun.of("train-demo", "--output", dir.resolve("x").toString(), "--unet-steps", "0")
                .exitCode());
        assertEquals(2, CliRun.of("train-demo", "--output", dir.resolve("y").toString(), "--weights-dtype",
                "bfloat16").exitCode());
    }

    @Test
    void judgeDemoWritesTheTableJsonAndPictures() throws IOException {
        Path json = dir.resolve("judge.json");
        Path images = dir.resolve("judged");
        CliRun r = CliRun.of("judge-demo", "--model", "tiny", "--schedulers", "ddim", "--guidance", "7.5,1",
                "--steps", "1", "--captions", "2", "--json", json.toString(), "--images", images.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("background"), r.out());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertEquals("tiny", report.get("model").asText());
        assertEquals(2, report.get("results").size());
        JsonNode row = report.get("results").get(1);
        assertEquals("ddim", row.get("scheduler").asText());
        assertEquals(1.0, row.get("guidance_scale").asDouble());
        assertEquals(1, row.get("num_inference_steps").asInt());
        assertEquals(2, row.get("images").asInt());
        for (String field : List.of("colour_accuracy", "background_accuracy", "shape_accuracy", "all_accuracy")) {
            double v = row.get(field).asDouble();
            assertTrue(row.get(field).isNumber() && v >= 0 && v <= 1, field + " " + row);
        }
        try (Stream<Path> files = Files.walk(images)) {
            assertEquals(4, files.filter(f -> f.toString().endsWith(".png")).count());
        }
        assertTrue(Files.isRegularFile(images.resolve("ddim-g7.5").resolve(
                "a-red-circle-on-a-green-background-1000000.png")));
    }

    /** Issue 17: {@code --preset a,b} judges each preset at its own scheduler, spacing, steps and guidance. */
    @Test
    void judgeDemoComparesPresets() throws IOException {
        Path json = dir.resolve("presets.json");
        CliRun r = CliRun.of("judge-demo", "--model", "tiny", "--preset", "turbo,lcm", "--captions", "2", "--json",
                json.toString());
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("turbo (euler-ancestral)") && r.out().contains("lcm (lcm)"), r.out());
        JsonNode rows = new ObjectMapper().readTree(json.toFile()).get("results");
        assertEquals(2, rows.size());
        assertEquals(List.of("turbo", "euler-ancestral", "trailing", "1", "0.0"), List.of(rows.get(0).get("preset")
                .asText(), rows.get(0).get("scheduler").asText(), rows.get(0).get("timestep_spacing").asText(),
                rows.get(0).get("num_inference_steps").asText(), rows.get(0).get("guidance_scale").asText()));
        assertEquals(List.of("lcm", "lcm", "4", "1.0"), List.of(rows.get(1).get("preset").asText(),
                rows.get(1).get("scheduler").asText(), rows.get(1).get("num_inference_steps").asText(),
                rows.get(1).get("guidance_scale").asText()));
        assertEquals(2, rows.get(1).get("images").asInt());
        assertEquals(CliErrors.USAGE, CliRun.of("judge-demo", "--model", "tiny", "--preset", "fast").exitCode());
    }

    @Test
    void judgeDemoRefusesAnUnknownScheduler() {
        CliRun r = CliRun.of("judge-demo", "--model", "tiny", "--schedulers", "dpm++2m");
        assertEquals(CliErrors.USAGE, r.exitCode(), r.toString());
        assertTrue(r.err().contains("dpmpp-2m"), r.err());
    }
}
