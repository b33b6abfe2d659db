package dev.ldmforge.jobs.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.jobs.cli.LdmForgeCli;
import dev.ldmforge.jobs.generate.HostileRecords.Expect;
import dev.ldmforge.jobs.generate.HostileRecords.Fuzzed;
import dev.ldmforge.jobs.kafka.KafkaTestBroker;
import dev.ldmforge.jobs.kafka.Topics;
import dev.ldmforge.jobs.testing.LocalSpark;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 13's fuzz test: seeded hostile records mixed with valid ones through {@code generate} (2,400 JSON Lines
 * records) and {@code stream} (2,000 JSON messages, 600 Avro datums with {@code --format avro}) on the Kafka broker
 * the stream tests use. Each job exits 0, every valid record becomes its images, every hostile one at most one dead
 * letter and never an image, dead letters and generated requests add up to the records read, {@code _SUMMARY.json}
 * reconciles, and no task fails (no OutOfMemoryError, no executor lost). The counts per error code are printed (and
 * copied into the README).
 */
class FuzzTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SEED = 20261203L;
    private static final AtomicInteger FAILED_TASKS = new AtomicInteger();
    private static final AtomicInteger EXECUTORS_REMOVED = new AtomicInteger();
    private static SparkSession spark;

    @TempDir
    static Path dir;
    private static HostileRecords.Files files;

    @BeforeAll
    static void setUp() throws Exception {
        spark = LocalSpark.start("local[2]", "FuzzTest");
        spark.sparkContext().addSparkListener(new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd e) {
                if (!e.taskInfo().successful()) {
                    FAILED_TASKS.incrementAndGet();
                }
            }

            @Override
            public void onExecutorRemoved(SparkListenerExecutorRemoved e) {
                EXECUTORS_REMOVED.incrementAndGet();
            }
        });
        Path data = Files.createDirectories(dir.resolve("data"));
        files = new HostileRecords.Files(
                HostileInputs.goodPng(data.resolve("good.png"), HostileRecords.SIZE, HostileRecords.SIZE),
                HostileInputs.pngBomb(data.resolve("bomb.png"), 15000, 15000),
                HostileInputs.jpegBomb(data.resolve("bomb.jpg"), 65000, 65000),
                HostileInputs.fifo(data.resolve("pipe.png")),
                Files.createDirectories(data.resolve("folder.png")));
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    @BeforeEach
    void resetCounters() {
        FAILED_TASKS.set(0);
        EXECUTORS_REMOVED.set(0);
    }

    private static List<String> common() {
        return new ArrayList<>(List.of("--model", "tiny", "--steps", "2", "--batch-size", "4", "--partitions", "2"));
    }

    private static int run(String command, List<String> args) {
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(args);
        return LdmForgeCli.commandLine().execute(all.toArray(String[]::new));
    }

    @Test
    void generateSurvivesHostileRecords() throws IOException {
        List<Fuzzed> records = new HostileRecords(SEED, files).json(2400, "f", 5);
        assertTrue(records.stream().filter(r -> r.expect() != Expect.IMAGE).count() >= 2000);
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        for (Fuzzed r : records) {
            lines.write(r.bytes());
            lines.write('\n');
        }
        Path prompts = Files.write(files.folder().getParent().resolve("fuzz.jsonl"), lines.toByteArray());
        Path out = dir.resolve("out-generate");
        List<String> args = common();
        args.addAll(List.of("--prompts", prompts.toString(), "--output", out.toString()));
        assertEquals(0, run("generate", args));

        JsonNode summary = JSON.readTree(out.resolve("_SUMMARY.json").toFile());
        assertTrue(summary.get("reconciled").asBoolean(), summary.toString());
        assertEquals(records.size(), summary.get("read").asLong(), summary.toString());
        Map<String, Long> byCode = assertOutcomes("generate", records, out);
        assertEquals(summary.get("dead_lettered").asLong(), byCode.values().stream().mapToLong(Long::longValue).sum());
        assertHealthy();
    }

    @Test
    void streamSurvivesHostileJsonMessages() throws IOException {
        // Kafka refuses records over 1 MB before any job sees them: the long strings stay below that.
        List<Fuzzed> records = new HostileRecords(SEED + 1, files).json(2000, "s", 0);
        Path out = stream("fuzz-json", records, "json");
        assertOutcomes("stream --format json", records, out);
        assertHealthy();
    }

    @Test
    void streamSurvivesAvroGarbage() throws IOException {
        List<Fuzzed> records = new HostileRecords(SEED + 2, files).avro(600, "a");
        Path out = stream("fuzz-avro", records, "avro");
        Map<String, Long> byCode = assertOutcomes("stream --format avro", records, out);
        assertTrue(byCode.getOrDefault("MALFORMED_AVRO", 0L) > 400, byCode.toString());
        assertHealthy();
    }

    private static Path stream(String topic, List<Fuzzed> records, String format) {
        String bootstrap = KafkaTestBroker.get().bootstrapServers();
        Topics.createIfMissing(bootstrap, topic, 2);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            for (Fuzzed r : records) {
                producer.send(new ProducerRecord<>(topic, r.bytes()));
            }
            producer.flush();
        }
        Path out = dir.resolve("out-" + topic);
        List<String> args = common();
        args.addAll(List.of("--bootstrap-servers", bootstrap, "--topic", topic, "--output", out.toString(),
                "--checkpoint", out.resolve("_checkpoint").toString(), "--commit-topic", topic + "-commits",
                "--available-now", "--format", format, "--allow-init-images", files.folder().getParent().toString()));
        assertEquals(0, run("stream", args));
        return out;
    }

    /**
     * Valid records have their images and no dead letter; hostile ones no image and at most one dead letter; dead
     * letters plus requests with images are the records. Returns and prints the dead letters per code.
     */
    private static Map<String, Long> assertOutcomes(String job, List<Fuzzed> records, Path out) {
        Dataset<Row> metadata = spark.read().parquet(out.resolve("metadata").toString());
        Map<String, Long> imagesById = metadata.groupBy("request_id").count().collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getString(0), r -> r.getLong(1)));
        assertEquals(metadata.count(), metadata.select("request_id", "image_index").distinct().count(),
                "one metadata row per image");
        Dataset<Row> dead = spark.read().parquet(out.resolve("dead-letter").toString());
        Map<String, Long> deadById = new HashMap<>();
        for (Row r : dead.select("request_id").collectAsList()) {
            if (!r.isNullAt(0)) {
                deadById.merge(r.getString(0), 1L, Long::sum);
            }
        }
        deadById.forEach((id, n) -> assertEquals(1L, n, "dead letters of " + id));
        for (String id : deadById.keySet()) {
            assertFalse(imagesById.containsKey(id), id + " has images and a dead letter");
        }
        Map<String, Long> kinds = new TreeMap<>();
        for (Fuzzed r : records) {
            kinds.merge(r.kind(), 1L, Long::sum);
            if (r.expect() == Expect.IMAGE) {
                assertEquals((long) r.images(), imagesById.getOrDefault(r.id(), 0L), r.kind() + " " + r.id());
            } else if (r.expect() == Expect.DEAD && r.id() != null) {
                assertFalse(imagesById.containsKey(r.id()), r.kind() + " " + r.id() + " generated");
            }
        }
        long deadLetters = dead.count();
        assertEquals(records.size(), deadLetters + imagesById.size(),
                "every record is images or one dead letter: " + deadLetters + " dead letters, "
                        + imagesById.size() + " requests with images");
        long expectedImages = records.stream().filter(r -> r.expect() == Expect.IMAGE).count();
        assertTrue(imagesById.size() >= expectedImages, imagesById.size() + " < " + expectedImages);
        Map<String, Long> byCode = new TreeMap<>();
        for (Row r : dead.groupBy("error_code").count().collectAsList()) {
            byCode.put(r.getString(0), r.getLong(1));
        }
        System.out.printf("FuzzTest %s: %d records (%s): %d requests with images, dead letters by code %s%n", job,
                records.size(), kinds, imagesById.size(), byCode);
        return byCode;
    }

    private static void assertHealthy() {
        assertEquals(0, FAILED_TASKS.get(), "failed tasks (an OutOfMemoryError or a lost executor fails one)");
        assertEquals(0, EXECUTORS_REMOVED.get(), "executors lost");
        Runtime rt = Runtime.getRuntime();
        System.out.printf("FuzzTest: heap used %d MB of %d MB max%n", (rt.totalMemory() - rt.freeMemory()) >> 20,
                rt.maxMemory() >> 20);
    }
}
