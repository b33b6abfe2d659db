package dev.ldmforge.jobs.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.jobs.cli.LdmForgeCli;
import dev.ldmforge.jobs.images.Png;
import dev.ldmforge.jobs.report.GalleryProbe;
import dev.ldmforge.jobs.testing.LocalSpark;
import dev.ldmforge.jobs.testing.FaultInjectingProxy;
import dev.ldmforge.jobs.testing.S3ProxyServer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The batch job end to end in Spark local mode with the tiny model: local and S3 outputs, bad rows of every kind,
 * reruns, task retries and a flaky S3. One session for the class; {@code local[2,3]} lets failed tasks retry.
 */
class GenerateJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HOSTILE = "<script>alert(1)</script> & <img src=x onerror=alert(2)> \"q\"";
    /** schemas/examples/prompts.jsonl: 12 prompts, one of them asking for 2 images. */
    private static final int EXAMPLE_IMAGES = 13;
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start("local[2,3]", "GenerateJobTest");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static int generate(String... args) {
        List<String> all = new ArrayList<>(List.of("generate", "--model", "tiny", "--steps", "2", "--partitions", "2"));
        all.addAll(List.of(args));
        return LdmForgeCli.commandLine().execute(all.toArray(String[]::new));
    }

    private static JsonNode summary(Path out) throws IOException {
        return JSON.readTree(out.resolve("_SUMMARY.json").toFile());
    }

    private static List<Path> pngs(Path out) throws IOException {
        try (Stream<Path> files = Files.walk(out.resolve("images"))) {
            return files.filter(p -> p.toString().endsWith(".png")).toList();
        }
    }

    private static Dataset<Row> metadata(String out) {
        return spark.read().parquet(out + "/metadata");
    }

    private static void assertOneRowPerImage(Dataset<Row> metadata, long images) {
        assertEquals(images, metadata.count(), "metadata rows");
        assertEquals(images, metadata.select("request_id", "image_index").distinct().count(), "distinct images");
    }

    @Test
    void goodDatasetToALocalFolderThenARerunSkipsEverything() throws IOException {
        Path out = dir.resolve("out");
        Path prompts = Path.of("../schemas/examples/prompts.jsonl");
        assertEquals(0, generate("--prompts", prompts.toString(), "--output", out.toString()));
        JsonNode s = summary(out);
        assertEquals(12, s.get("read").asLong());
        assertEquals(12, s.get("valid").asLong());
        assertEquals(EXAMPLE_IMAGES, s.get("generated").asLong());
        assertEquals(EXAMPLE_IMAGES, s.get("images").asLong());
        assertEquals(0, s.get("dead_lettered").asLong());
        assertTrue(s.get("reconciled").asBoolean());
        assertEquals("tiny", s.get("model_id").asText());
        List<Path> images = pngs(out);
        assertEquals(EXAMPLE_IMAGES, images.size());
        Map<String, String> text = Png.readText(Files.readAllBytes(images.get(0)));
        assertTrue(text.containsKey("prompt") && text.get("num_inference_steps").equals("2"), text.toString());
        assertOneRowPerImage(metadata(out.toString()), EXAMPLE_IMAGES);
        assertTrue(Files.readString(out.resolve("index.html")).contains("<img"));

        assertEquals(0, generate("--prompts", prompts.toString(), "--output", out.toString()));
        JsonNode again = summary(out);
        assertEquals(0, again.get("generated").asLong());
        assertEquals(EXAMPLE_IMAGES, again.get("skipped_existing").asLong());
        assertTrue(again.get("reconciled").asBoolean());
        assertOneRowPerImage(metadata(out.toString()), EXAMPLE_IMAGES);
        assertEquals(EXAMPLE_IMAGES, pngs(out).size());
    }

    /** Issue 16: the batch job runs an SDXL model unchanged; the second prompts reach the metadata. */
    @Test
    void sdxlModelEndToEnd() throws IOException {
        Path prompts = dir.resolve("sdxl.jsonl");
        Files.writeString(prompts, String.join("\n",
                "{\"request_id\": \"xl-1\", \"prompt\": \"a red cube\", \"prompt_2\": \"oil painting\", \"seed\": 1}",
                "{\"request_id\": \"xl-2\", \"prompt\": \"a blue cube\", \"negative_prompt\": \"\", \"seed\": 2}",
                "{\"request_id\": \"xl-3\", \"prompt\": \"a green cube\", \"negative_prompt\": \"blurry\", "
                        + "\"negative_prompt_2\": \"dark\", \"seed\": 3}") + "\n");
        Path out = dir.resolve("out-sdxl");
        String model = dev.ldmforge.runtime.testing.Fixtures.path("tiny-sdxl").toString();
        assertEquals(0, LdmForgeCli.commandLine().execute("generate", "--model", model, "--steps", "2",
                "--guidance", "5", "--partitions", "2", "--prompts", prompts.toString(), "--output", out.toString()));
        JsonNode s = summary(out);
        assertEquals(3, s.get("generated").asLong(), s.toString());
        assertTrue(s.get("reconciled").asBoolean(), s.toString());
        Dataset<Row> rows = metadata(out.toString());
        assertOneRowPerImage(rows, 3);
        assertEquals("oil painting", rows.filter("request_id = 'xl-1'").first().getAs("prompt_2"));
        assertEquals("dark", rows.filter("request_id = 'xl-3'").first().getAs("negative_prompt_2"));
        assertEquals(64L, ((Number) rows.first().getAs("width")).longValue(), "the model's default size");
        assertEquals(3, pngs(out).size());
    }

    @Test
    void everyBadRowBecomesADeadLetterAndCountsReconcile() throws Exception {
        Path in = Files.createDirectories(dir.resolve("bad"));
        Files.writeString(in.resolve("a.jsonl"), String.join("\n",
                "{\"prompt\": \"a red circle\", \"request_id\": \"good-1\", \"num_images_per_prompt\": 2}",
                "{\"prompt\": null}",
                "{\"prompt\": \"   \"}",
                "{\"prompt\": \"x\", \"num_inference_steps\": -3}",
                "{\"prompt\": \"x\", \"num_inference_steps\": 100000}",
                "{\"prompt\": \"x\", \"width\": 100}",
                "{\"prompt\": \"x\", \"scheduler\": \"k_lms_turbo\"}",
                "{\"prompt\": \"x\", \"num_images_per_prompt\": 5000}",
                "{\"prompt\": \"x\", \"guidance_scale\": \"lots\"}",
                "{\"prompt\": \"x\", \"request_id\": \"good-1\"}",
                "{\"prompt\": \"unterminated",
                "{\"prompt\": \"a blue square\", \"extra_column\": 1}",
                "{\"prompt\": \"" + HOSTILE.replace("\"", "\\\"") + "\"}") + "\n");
        Files.writeString(in.resolve("empty.jsonl"), "");
        Files.write(in.resolve("garbage.jsonl"), new byte[] {0, (byte) 0xff, 0x13, 0x37, 0, 0, 1});
        Path out = dir.resolve("out");
        generate("--prompts", in.toString(), "--output", out.toString());
        JsonNode s = summary(out);
        long read = s.get("read").asLong();
        assertEquals(s.get("generated_requests").asLong() + s.get("dead_lettered").asLong(), read);
        assertTrue(s.get("reconciled").asBoolean());
        assertEquals(3, s.get("generated_requests").asLong(), "good-1, the blue square and the hostile prompt");
        assertEquals(4, s.get("images").asLong());
        assertEquals(4, pngs(out).size());
        JsonNode codes = s.get("dead_letters_by_code");
        for (String code : List.of("MISSING_FIELD", "BLANK_PROMPT", "INVALID_STEPS", "INVALID_WIDTH",
                "UNKNOWN_SCHEDULER", "INVALID_NUM_IMAGES", "WRONG_TYPE", "DUPLICATE_REQUEST", "MALFORMED_JSON")) {
            assertTrue(codes.has(code), code + " in " + codes);
        }
        Dataset<Row> dead = spark.read().parquet(out + "/dead-letter");
        assertEquals(s.get("dead_lettered").asLong(), dead.count());
        assertEquals(0, dead.filter("error_message is null or error_code is null").count());

        // The job's own gallery, in a real browser: every thumbnail loads, every prompt is text.
        JsonNode page = GalleryProbe.run(out.resolve("index.html"), dir, "");
        assertEquals(4, page.get("images").size());
        page.get("images").forEach(img -> assertTrue(img.get(1).asInt() == 64, "loaded: " + img));
        List<String> prompts = new ArrayList<>();
        page.get("prompts").forEach(p -> prompts.add(p.asText()));
        assertTrue(prompts.contains(HOSTILE), "the hostile prompt is shown as text: " + prompts);
        assertEquals(1, page.get("scripts").asInt(), "only the probe's script");
        assertEquals(0, page.get("dialogs").size());
    }

    @Test
    void aTaskThatFailsOnItsFirstAttemptLeavesExactlyOneImageAndRowPerRequest() throws IOException {
        Path out = dir.resolve("out");
        assertEquals(0, generate("--prompts", "../schemas/examples/prompts.jsonl", "--output", out.toString(),
                "--fail-first-attempt"));
        assertEquals(EXAMPLE_IMAGES, pngs(out).size());
        Dataset<Row> metadata = metadata(out.toString());
        assertOneRowPerImage(metadata, EXAMPLE_IMAGES);
        assertTrue(metadata.filter("task_attempt > 0").count() > 0, "rows come from the retried attempts");
        assertTrue(summary(out).get("reconciled").asBoolean());
    }

    @Test
    void toS3ThroughAServerThatAnswers503AFewTimes() throws Exception {
        S3ProxyServer server = S3ProxyServer.get();
        server.createBucket("ldmforge-job");
        S3ProxyServer.settings(server.endpoint(), 1); // static test credentials for the default AWS chain
        try (FaultInjectingProxy flaky = new FaultInjectingProxy(server.endpoint(), 3)) {
            String out = "s3://ldmforge-job/run-" + System.nanoTime();
            int code = generate("--prompts", "../schemas/examples/prompts.jsonl", "--output", out,
                    "--conf", "ldmforge.s3.endpoint=" + flaky.endpoint(), "--conf", "ldmforge.s3.region=us-east-1",
                    // Spark's Parquet output goes to the server directly; the image puts through the flaky proxy.
                    "--conf", "spark.hadoop.fs.s3a.endpoint=" + server.endpoint());
            assertEquals(0, code);
            assertEquals(3, flaky.injected(), "the first three image PUTs were refused and retried");
            Path bucketDir = server.dataDir().resolve("ldmforge-job");
            try (Stream<Path> files = Files.walk(bucketDir)) {
                assertEquals(EXAMPLE_IMAGES, files.filter(p -> p.toString().endsWith(".png")).count());
            }
        }
    }
}
