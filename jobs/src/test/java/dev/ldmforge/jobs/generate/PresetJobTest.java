package dev.ldmforge.jobs.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.jobs.cli.FixtureImages;
import dev.ldmforge.jobs.cli.LdmForgeCli;
import dev.ldmforge.jobs.images.Png;
import dev.ldmforge.jobs.testing.LocalSpark;
import dev.ldmforge.runtime.testing.Fixtures;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 17 in the batch job: {@code ldmforge generate --preset turbo} end to end on tiny-sd. Rows take the preset's
 * settings unless they give their own, metadata rows record the resolved scheduler options, impossible options
 * become {@code INVALID_SCHEDULER_OPTIONS} dead letters naming field and value, and the preset's image (guidance 0,
 * text half only) is the one {@code txt2img --preset turbo} makes from the same seed.
 */
class PresetJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMPT = "a red circle on a blue background";
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start("local[2]", "PresetJobTest");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @Test
    void generateWithPresetTurboEndToEnd() throws Exception {
        String model = Fixtures.path("tiny-sd").toString();
        Path prompts = dir.resolve("prompts.jsonl");
        Files.writeString(prompts, String.join("\n",
                "{\"request_id\": \"turbo\", \"prompt\": \"" + PROMPT + "\", \"seed\": 7, "
                        + "\"negative_prompt\": \"blurry\"}",
                "{\"request_id\": \"lcm\", \"prompt\": \"" + PROMPT + "\", \"scheduler\": \"lcm\", "
                        + "\"num_inference_steps\": 4, \"guidance_scale\": 1}",
                "{\"request_id\": \"karras\", \"prompt\": \"" + PROMPT + "\", \"scheduler\": \"dpmpp-2m\", "
                        + "\"use_karras_sigmas\": true, \"num_inference_steps\": 2, \"guidance_scale\": 7.5}",
                "{\"request_id\": \"bad-karras\", \"prompt\": \"x\", \"scheduler\": \"ddim\", "
                        + "\"use_karras_sigmas\": true}",
                "{\"request_id\": \"bad-lcm-spacing\", \"prompt\": \"x\", \"scheduler\": \"lcm\", "
                        + "\"timestep_spacing\": \"trailing\"}",
                "{\"request_id\": \"bad-spacing\", \"prompt\": \"x\", \"timestep_spacing\": \"sideways\"}") + "\n");
        Path out = dir.resolve("out");
        assertEquals(0, LdmForgeCli.commandLine().execute("generate", "--model", model, "--preset", "turbo",
                "--width", "64", "--height", "64", "--partitions", "2", "--prompts", prompts.toString(),
                "--output", out.toString()));

        JsonNode s = JSON.readTree(out.resolve("_SUMMARY.json").toFile());
        assertTrue(s.get("reconciled").asBoolean(), s.toString());
        assertEquals(6, s.get("read").asLong());
        assertEquals(3, s.get("images").asLong(), s.toString());
        assertEquals(3, s.get("dead_letters_by_code").get("INVALID_SCHEDULER_OPTIONS").asLong(), s.toString());
        assertEquals("turbo: scheduler=euler-ancestral, num_inference_steps=1, guidance_scale=0.0, "
                + "timestep_spacing=trailing", s.get("config").get("preset").asText());

        Dataset<Row> rows = spark.read().parquet(out + "/metadata");
        Row turbo = rows.filter("request_id = 'turbo'").first();
        assertEquals(List.of("euler-ancestral", 1, 0.0, "trailing"), List.of(turbo.<Object>getAs("scheduler"),
                ((Number) turbo.<Object>getAs("num_inference_steps")).intValue(), turbo.<Object>getAs("guidance_scale"),
                turbo.<Object>getAs("timestep_spacing")));
        assertNull(turbo.<Object>getAs("use_karras_sigmas"), "Euler ancestral has no Karras option");
        Row lcm = rows.filter("request_id = 'lcm'").first();
        assertEquals(Arrays.asList("lcm", 4, null, null), Arrays.asList(lcm.<Object>getAs("scheduler"),
                ((Number) lcm.<Object>getAs("num_inference_steps")).intValue(), lcm.<Object>getAs("timestep_spacing"),
                lcm.<Object>getAs("use_karras_sigmas")), "a row's own scheduler does not take the preset's spacing");
        Row karras = rows.filter("request_id = 'karras'").first();
        assertEquals(Arrays.asList("dpmpp-2m", "linspace", true), Arrays.asList(karras.<Object>getAs("scheduler"),
                karras.<Object>getAs("timestep_spacing"), karras.<Object>getAs("use_karras_sigmas")),
                "resolved from the config");

        Dataset<Row> dead = spark.read().parquet(out + "/dead-letter");
        assertEquals(3, dead.filter("error_code = 'INVALID_SCHEDULER_OPTIONS'").count());
        assertTrue(dead.filter("request_id = 'bad-karras'").first().<String>getAs("error_message")
                .startsWith("use_karras_sigmas: true is not supported by DDIMScheduler"));
        assertTrue(dead.filter("request_id = 'bad-lcm-spacing'").first().<String>getAs("error_message")
                .startsWith("timestep_spacing: 'trailing' is not supported by LCMScheduler"));
        assertTrue(dead.filter("error_message like 'timestep_spacing: \"sideways\"%'").count() == 1,
                "the validator names the unknown spacing");

        // the batch job's turbo image is the CLI's: same seed, preset, text half only (the negative prompt is unused)
        Path png = dir.resolve("cli-turbo.png");
        assertEquals(0, LdmForgeCli.commandLine().execute("txt2img", "--model", model, "--preset", "turbo",
                "--prompt", PROMPT, "--width", "64", "--height", "64", "--seed", "7", "--output", png.toString()));
        String uri = turbo.getAs("image_uri");
        byte[] batch = Files.readAllBytes(Path.of(java.net.URI.create(uri.startsWith("file:") ? uri : "file:" + uri)));
        FixtureImages.assertSamePixels(Png.decode(Files.readAllBytes(png), "cli").pixels(),
                Png.decode(batch, uri).pixels(), uri);
    }
}
