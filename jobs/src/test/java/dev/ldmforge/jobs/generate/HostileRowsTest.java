package dev.ldmforge.jobs.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.jobs.cli.LdmForgeCli;
import dev.ldmforge.jobs.kafka.KafkaTestBroker;
import dev.ldmforge.jobs.kafka.LineProducer;
import dev.ldmforge.jobs.kafka.Topics;
import dev.ldmforge.jobs.testing.LocalSpark;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13's table through {@code generate} and {@code stream}: {@code /dev/zero}, a 15000×15000 PNG bomb, a JPEG
 * declaring 65000×65000, {@code /etc/passwd}, {@code "model": "/etc"}, traversal and a symlink out of the allowed
 * folder, a FIFO, a directory, an oversized file: each is exactly one clear dead letter while the good rows (txt2img,
 * img2img from an allowed file, a second declared model) generate.
 */
class HostileRowsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SIZE = 64;
    private static SparkSession spark;

    @TempDir
    static Path dir;
    private static Path data;
    /** request id → its JSON line and the expected code (null: generates). */
    private static final Map<String, String[]> ROWS = new LinkedHashMap<>();

    @BeforeAll
    static void setUp() throws Exception {
        spark = LocalSpark.start("local[2]", "HostileRowsTest");
        data = Files.createDirectories(dir.resolve("data"));
        HostileInputs.goodPng(data.resolve("good.png"), SIZE, SIZE);
        HostileInputs.pngBomb(data.resolve("bomb.png"), 15000, 15000);
        HostileInputs.jpegBomb(data.resolve("bomb.jpg"), 65000, 65000);
        HostileInputs.fifo(data.resolve("pipe.png"));
        Files.createDirectories(data.resolve("folder.png"));
        Files.write(data.resolve("big.png"), new byte[1_200_000]);
        Files.writeString(data.resolve("notes.png"), "not an image\n");
        Files.createSymbolicLink(data.resolve("link.png"), Path.of("/etc/passwd"));
        row("good-txt2img", null, "");
        row("good-img2img", null, ", \"init_image_uri\": " + q(data.resolve("good.png")) + ", \"strength\": 0.5");
        row("good-second-model", null, ", \"model\": \"second\"");
        row("dev-zero", "INIT_IMAGE_NOT_ALLOWED", ", \"init_image_uri\": \"/dev/zero\"");
        row("etc-passwd", "INIT_IMAGE_NOT_ALLOWED", ", \"init_image_uri\": \"/etc/passwd\"");
        row("model-etc", "UNKNOWN_MODEL", ", \"model\": \"/etc\"");
        row("model-s3", "UNKNOWN_MODEL", ", \"model\": \"s3://bucket/models/sd\"");
        row("traversal", "INIT_IMAGE_NOT_ALLOWED", ", \"init_image_uri\": \"" + data + "/../../../../etc/passwd\"");
        row("symlink", "INIT_IMAGE_NOT_ALLOWED", ", \"init_image_uri\": " + q(data.resolve("link.png")));
        row("s3-elsewhere", "INIT_IMAGE_NOT_ALLOWED", ", \"init_image_uri\": \"s3://other-bucket/x.png\"");
        row("png-bomb", "INVALID_INIT_IMAGE", ", \"init_image_uri\": " + q(data.resolve("bomb.png")));
        row("jpeg-bomb", "INVALID_INIT_IMAGE", ", \"init_image_uri\": " + q(data.resolve("bomb.jpg")));
        row("fifo", "INVALID_INIT_IMAGE", ", \"init_image_uri\": " + q(data.resolve("pipe.png")));
        row("directory", "INVALID_INIT_IMAGE", ", \"init_image_uri\": " + q(data.resolve("folder.png")));
        row("too-big", "INVALID_INIT_IMAGE", ", \"init_image_uri\": " + q(data.resolve("big.png")));
        row("not-image", "INVALID_INIT_IMAGE", ", \"init_image_uri\": " + q(data.resolve("notes.png")));
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static String q(Path p) {
        return "\"" + p + "\"";
    }

    private static void row(String id, String code, String fields) {
        ROWS.put(id, new String[]{"{\"request_id\": \"" + id + "\", \"prompt\": \"a red circle\", \"width\": " + SIZE
                + ", \"height\": " + SIZE + ", \"seed\": 3" + fields + "}", code});
    }

    private static List<String> common(String... more) {
        List<String> all = new ArrayList<>(List.of("--model", "tiny", "--extra-model", "second=tiny", "--steps", "2",
                "--partitions", "2", "--max-init-image-bytes", "1000000"));
        all.addAll(List.of(more));
        return all;
    }

    private static int run(String command, List<String> args) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(args);
        return LdmForgeCli.commandLine().execute(all.toArray(String[]::new));
    }

    /** request id → (error code, message) of every dead letter under {@code out}. */
    private static Map<String, String[]> deadLetters(Path out) {
        Map<String, String[]> dead = new TreeMap<>();
        for (Row r : spark.read().parquet(out.resolve("dead-letter").toString())
                .select("request_id", "error_code", "error_message").collectAsList()) {
            String[] was = dead.put(r.getString(0), new String[]{r.getString(1), r.getString(2)});
            assertEquals(null, was, "one dead letter per request: " + r);
        }
        return dead;
    }

    private static long pngs(Path out) throws IOException {
        try (Stream<Path> files = Files.walk(out.resolve("images"))) {
            return files.filter(p -> p.toString().endsWith(".png")).count();
        }
    }

    /** Every hostile row is its one dead letter with a message naming what it named; the good rows generated. */
    private static void assertTable(Path out) throws IOException {
        Map<String, String[]> dead = deadLetters(out);
        Map<String, String> expected = new TreeMap<>();
        ROWS.forEach((id, r) -> {
            if (r[1] != null) {
                expected.put(id, r[1]);
            }
        });
        Map<String, String> actual = new TreeMap<>();
        dead.forEach((id, d) -> actual.put(id, d[0]));
        assertEquals(expected, actual);
        assertTrue(dead.get("dev-zero")[1].contains("/dev/zero") && dead.get("dev-zero")[1].contains("outside"),
                dead.get("dev-zero")[1]);
        assertTrue(dead.get("model-etc")[1].contains("/etc") && dead.get("model-etc")[1].contains("--extra-model"),
                dead.get("model-etc")[1]);
        assertTrue(dead.get("symlink")[1].contains("symbolic link"), dead.get("symlink")[1]);
        assertTrue(dead.get("png-bomb")[1].contains("15000x15000") && dead.get("png-bomb")[1].contains("bomb.png"),
                dead.get("png-bomb")[1]);
        assertTrue(dead.get("jpeg-bomb")[1].contains("65000x65000"), dead.get("jpeg-bomb")[1]);
        assertTrue(dead.get("fifo")[1].contains("not a regular file"), dead.get("fifo")[1]);
        assertTrue(dead.get("directory")[1].contains("directory"), dead.get("directory")[1]);
        assertTrue(dead.get("too-big")[1].contains("--max-init-image-bytes 1000000"), dead.get("too-big")[1]);
        assertTrue(dead.get("not-image")[1].contains("not a PNG"), dead.get("not-image")[1]);
        List<Row> images = spark.read().parquet(out.resolve("metadata").toString())
                .select("request_id", "model_id").orderBy("request_id").collectAsList();
        assertEquals("[[good-img2img,tiny], [good-second-model,second], [good-txt2img,tiny]]", images.toString());
        assertEquals(3, pngs(out));
    }

    @Test
    void generateDeadLettersEachHostileRowAndGeneratesTheGoodOnes() throws IOException {
        Path prompts = Files.write(data.resolve("prompts.jsonl"), ROWS.values().stream().map(r -> r[0]).toList());
        Path out = dir.resolve("out-generate");
        assertEquals(0, run("generate", common("--prompts", prompts.toString(), "--output", out.toString())));
        JsonNode summary = JSON.readTree(out.resolve("_SUMMARY.json").toFile());
        assertTrue(summary.get("reconciled").asBoolean(), summary.toString());
        assertEquals(ROWS.size(), summary.get("read").asLong());
        assertEquals(3, summary.get("generated").asLong());
        JsonNode config = summary.get("config");
        assertEquals("tiny", config.get("models").get("second").asText(), config.toString());
        assertTrue(config.get("allow_init_images").asText().contains(data.toString()), config.toString());
        assertEquals(1_000_000, config.get("max_init_image_bytes").asLong());
        assertEquals(2, config.get("max_loaded_models").asInt());
        assertTable(out);
    }

    @Test
    void allowedSpecialFilesAreStillRefusedByTheBoundedRead() throws IOException {
        Path other = Files.createDirectories(dir.resolve("other"));
        Path prompts = Files.write(other.resolve("prompts.jsonl"), List.of(
                ROWS.get("good-txt2img")[0], ROWS.get("dev-zero")[0], ROWS.get("etc-passwd")[0]));
        Path out = dir.resolve("out-allowed");
        assertEquals(0, run("generate", common("--prompts", prompts.toString(), "--output", out.toString(),
                "--allow-init-images", "/dev", "--allow-init-images", "/etc/")));
        Map<String, String[]> dead = deadLetters(out);
        assertEquals("INVALID_INIT_IMAGE", dead.get("dev-zero")[0]);
        assertTrue(dead.get("dev-zero")[1].contains("/dev/zero is not a regular file"), dead.get("dev-zero")[1]);
        assertEquals("INVALID_INIT_IMAGE", dead.get("etc-passwd")[0]);
        assertTrue(dead.get("etc-passwd")[1].contains("/etc/passwd is not a PNG"), dead.get("etc-passwd")[1]);
        assertEquals(2, dead.size());
        assertEquals(1, pngs(out));
    }

    @Test
    void streamDeadLettersTheSameRowsAndGeneratesTheGoodOnes() throws IOException {
        String bootstrap = KafkaTestBroker.get().bootstrapServers();
        String topic = "hostile-rows";
        Topics.createIfMissing(bootstrap, topic, 2);
        String lines = String.join("\n", ROWS.values().stream().map(r -> r[0]).toList()) + "\n";
        LineProducer.send(bootstrap, topic, new ByteArrayInputStream(lines.getBytes(StandardCharsets.UTF_8)));
        Path out = dir.resolve("out-stream");
        // No prompts folder in a stream: init images only from the prefixes it names.
        assertEquals(0, run("stream", common("--bootstrap-servers", bootstrap, "--topic", topic,
                "--output", out.toString(), "--checkpoint", out.resolve("_checkpoint").toString(),
                "--commit-topic", topic + "-commits", "--available-now", "--allow-init-images", data.toString())));
        assertTable(out);
    }
}
