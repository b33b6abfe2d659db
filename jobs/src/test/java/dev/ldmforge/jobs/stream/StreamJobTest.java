package dev.ldmforge.jobs.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.jobs.cli.LdmForgeCli;
import dev.ldmforge.jobs.kafka.KafkaBroker;
import dev.ldmforge.jobs.kafka.KafkaTestBroker;
import dev.ldmforge.jobs.kafka.LineProducer;
import dev.ldmforge.jobs.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.spark.sql.Dataset;
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
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The streaming job against a real Kafka broker with the tiny model: good and bad messages, crashes in both windows
 * of a micro-batch (after its files, after its Kafka commit but before Spark's checkpoint commit) and restarts from
 * the checkpoint, a request re-sent later. In-process Spark session, {@code --available-now} runs.
 */
class StreamJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int GOOD = 180;
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder().master("local[2]").appName("StreamJobTest")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    /** 180 good prompts with 20 bad ones among them; the bad ones' expected codes by request id (or marker). */
    private static Map<String, String> messages(List<String> lines) {
        Map<String, String> bad = new LinkedHashMap<>();
        String huge = "x".repeat(70_000);
        int b = 0;
        for (int i = 0; i < GOOD; i++) {
            lines.add("{\"request_id\": \"p" + i + "\", \"prompt\": \"a red circle number " + i + "\"}");
            if (i % 9 == 4) {
                String id = "bad" + b;
                switch (b++ % 5) {
                    case 0 -> {
                        lines.add("{\"request_id\": \"" + id + "\", \"prompt\": \"unterminated");
                        bad.put(id, "MALFORMED_JSON");
                    }
                    case 1 -> {
                        lines.add("{\"request_id\": \"" + id + "\", \"prompt\": \"x\", \"guidance_scale\": \"lots\"}");
                        bad.put(id, "WRONG_TYPE");
                    }
                    case 2 -> {
                        lines.add("{\"request_id\": \"" + id + "\", \"prompt\": \"   \"}");
                        bad.put(id, "BLANK_PROMPT");
                    }
                    case 3 -> {
                        lines.add("{\"request_id\": \"" + id + "\", \"prompt\": \"" + huge + "\"}");
                        bad.put(id, "MESSAGE_TOO_LARGE");
                    }
                    default -> {
                        lines.add("{\"request_id\": \"" + id + "\", \"prompt\": \"x\", \"scheduler\": \"warp\"}");
                        bad.put(id, "UNKNOWN_SCHEDULER");
                    }
                }
            }
        }
        return bad;
    }

    private int stream(String topic, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("stream", "--bootstrap-servers",
                KafkaTestBroker.get().bootstrapServers(), "--topic", topic, "--output", out.toString(),
                "--checkpoint", out.resolve("_checkpoint").toString(), "--results-topic", topic + "-results",
                "--dead-letter-topic", topic + "-dlq", "--commit-topic", topic + "-commits", "--available-now",
                "--steps", "2", "--batch-size", "8", "--max-offsets-per-trigger", "50", "--partitions", "2"));
        args.addAll(Arrays.asList(extra));
        return LdmForgeCli.commandLine().execute(args.toArray(String[]::new));
    }

    private static void produce(String topic, List<String> lines) throws IOException {
        LineProducer.send(KafkaTestBroker.get().bootstrapServers(), topic,
                new ByteArrayInputStream((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    private static List<ConsumerRecord<byte[], byte[]>> read(String topic) {
        return KafkaTestBroker.readToEnd(KafkaTestBroker.get().bootstrapServers(), topic, true);
    }

    private static long pngs(Path out) throws IOException {
        if (!Files.exists(out.resolve("images"))) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(out.resolve("images"))) {
            return files.filter(p -> p.toString().endsWith(".png")).count();
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void exactlyOnceAcrossCrashesInBothWindowsAndRestarts() throws IOException {
        KafkaBroker broker = KafkaTestBroker.get();
        String topic = "prompts-eo";
        Topics.createIfMissing(broker.bootstrapServers(), topic, 2);
        List<String> lines = new ArrayList<>();
        Map<String, String> bad = messages(lines);
        assertEquals(20, bad.size());
        produce(topic, lines);
        Path out = dir.resolve("out");

        // Crash 1: the first batch's images, metadata and dead letters are written, nothing was sent to Kafka.
        assertNotEquals(0, stream(topic, out, "--fail-after", "files"));
        long afterFirstCrash = pngs(out);
        assertTrue(afterFirstCrash > 0 && afterFirstCrash < GOOD, afterFirstCrash + " images after crash 1");
        assertEquals(0, read(topic + "-results").size());
        // Crash 2: the replayed first batch is committed to Kafka, then the query dies before Spark's checkpoint.
        assertNotEquals(0, stream(topic, out, "--fail-after", "events"));
        assertEquals(afterFirstCrash, pngs(out), "the replay regenerated nothing");
        long firstBatchEvents = read(topic + "-results").size();
        assertTrue(firstBatchEvents > 0, "batch 0 committed to Kafka");
        // The restart skips the committed batch and drains the rest.
        assertEquals(0, stream(topic, out));

        assertEquals(GOOD, pngs(out));
        Dataset<Row> metadata = spark.read().parquet(out.resolve("metadata").toString());
        assertEquals(GOOD, metadata.count(), "metadata rows");
        assertEquals(GOOD, metadata.select("request_id", "image_index").distinct().count());
        List<ConsumerRecord<byte[], byte[]>> events = read(topic + "-results");
        assertEquals(GOOD, events.size(), "result events");
        Set<String> eventKeys = new HashSet<>();
        for (ConsumerRecord<byte[], byte[]> e : events) {
            JsonNode event = JSON.readTree(e.value());
            eventKeys.add(event.get("request_id").asText() + "/" + event.get("image_index").asInt());
            assertTrue(Files.exists(Path.of(event.get("image_uri").asText().replaceFirst("^file:", ""))),
                    event.toString());
            assertEquals(64, event.get("sha256").asText().length());
            assertTrue(Set.of("GENERATED", "EXISTING").contains(event.get("status").asText()));
        }
        assertEquals(GOOD, eventKeys.size(), "distinct images in events");

        Dataset<Row> dead = spark.read().parquet(out.resolve("dead-letter").toString());
        assertEquals(20, dead.count(), "dead letter rows");
        Map<String, String> codes = new TreeMap<>();
        for (Row r : dead.select("request_id", "error_code", "topic", "offset", "original_bytes").collectAsList()) {
            assertEquals(topic, r.getString(2));
            assertTrue(((byte[]) r.get(4)).length > 0);
            codes.put(r.isNullAt(0) ? "?" + r.getLong(3) : r.getString(0), r.getString(1));
        }
        List<ConsumerRecord<byte[], byte[]>> dlq = read(topic + "-dlq");
        assertEquals(20, dlq.size(), "dead letter events");
        Map<String, String> topicCodes = dlq.stream().collect(Collectors.toMap(
                r -> r.key() == null ? "?" + header(r, "ldmforge.source_offset") : new String(r.key(),
                        StandardCharsets.UTF_8), r -> header(r, "ldmforge.error_code"), (a, b2) -> a, TreeMap::new));
        assertEquals(codes, topicCodes);
        // Malformed and oversized messages have no request id; the others keep theirs.
        Map<String, String> known = new TreeMap<>(bad);
        known.values().removeIf(c -> c.equals("MALFORMED_JSON") || c.equals("MESSAGE_TOO_LARGE"));
        codes.forEach((id, code) -> {
            if (!id.startsWith("?")) {
                assertEquals(known.get(id), code, id);
            }
        });
        assertEquals(known.size(), codes.keySet().stream().filter(k -> !k.startsWith("?")).count());
        Map<String, Long> byCode = dead.groupBy("error_code").count().collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getString(0), r -> r.getLong(1)));
        assertEquals(Map.of("MALFORMED_JSON", 4L, "WRONG_TYPE", 4L, "BLANK_PROMPT", 4L, "MESSAGE_TOO_LARGE", 4L,
                "UNKNOWN_SCHEDULER", 4L), byCode);
        Set<String> produced = new HashSet<>(lines);
        for (ConsumerRecord<byte[], byte[]> r : dlq) {
            assertTrue(produced.contains(new String(r.value(), StandardCharsets.UTF_8)), "original bytes kept");
        }

        // A request re-sent later is not generated or announced again: it becomes a DUPLICATE_REQUEST dead letter.
        produce(topic, List.of("{\"request_id\": \"p7\", \"prompt\": \"a red circle number 7\"}",
                "{\"request_id\": \"late\", \"prompt\": \"a late blue square\"}"));
        assertEquals(0, stream(topic, out));
        assertEquals(GOOD + 1, spark.read().parquet(out.resolve("metadata").toString()).count());
        assertEquals(GOOD + 1, read(topic + "-results").size());
        Dataset<Row> dead2 = spark.read().parquet(out.resolve("dead-letter").toString());
        assertEquals(1, dead2.filter("error_code = 'DUPLICATE_REQUEST' and request_id = 'p7'").count());
        assertEquals(21, read(topic + "-dlq").size());
    }
}
