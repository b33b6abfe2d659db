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
import dev.ldmforge.jobs.testing.LocalSpark;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
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
        spark = LocalSpark.start("local[2]", "StreamJobTest");
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

    /** {@code ldmforge stream} arguments for a topic, its result topics and an output with its checkpoint. */
    private static List<String> args(String topic, Path out) {
        return new ArrayList<>(List.of("stream", "--bootstrap-servers", KafkaTestBroker.get().bootstrapServers(),
                "--topic", topic, "--output", out.toString(), "--checkpoint", out.resolve("_checkpoint").toString(),
                "--results-topic", topic + "-results", "--dead-letter-topic", topic + "-dlq",
                "--commit-topic", topic + "-commits", "--steps", "2", "--guidance", "1", "--batch-size", "8",
                "--partitions", "2"));
    }

    /** An in-process {@code --available-now} run. */
    private static int stream(String topic, Path out, String... extra) {
        List<String> args = args(topic, out);
        args.addAll(List.of("--available-now", "--max-offsets-per-trigger", "50"));
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

    private static long pngs(Path out) {
        if (!Files.exists(out.resolve("images"))) {
            return 0;
        }
        while (true) {
            try (Stream<Path> files = Files.walk(out.resolve("images"))) {
                return files.filter(p -> p.toString().endsWith(".png")).count();
            } catch (IOException | UncheckedIOException e) {
                // a temporary file vanished during the walk (a stream is writing): count again
            }
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

    @Test
    void hardKillMidBatchThenSigtermFinishesTheBatchThenStopsAndNothingIsDuplicated() throws Exception {
        String topic = "prompts-kill";
        Topics.createIfMissing(KafkaTestBroker.get().bootstrapServers(), topic, 1);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            lines.add("{\"request_id\": \"k" + i + "\", \"prompt\": \"a green triangle " + i + "\"}");
        }
        produce(topic, lines);
        Path out = dir.resolve("out");

        // SIGKILL while batch 1 is storing its images: nothing of it is committed anywhere.
        try (ChildStream first = new ChildStream(topic, out)) {
            first.awaitLine(l -> l.startsWith("stream: batch 0: "));
            long stored = pngs(out);
            first.await(() -> pngs(out) > stored, "batch 1 stores an image");
            first.process.destroyForcibly().waitFor();
        }
        // The restart replays batch 1 (finding what the killed attempt stored), then SIGTERM arrives mid-batch 2.
        try (ChildStream second = new ChildStream(topic, out)) {
            String replay = second.awaitLine(l -> l.startsWith("stream: batch 1: "));
            assertTrue(replay.matches(".*\\(\\d+ generated, [1-9]\\d* existing\\).*"), replay);
            long stored = pngs(out);
            second.await(() -> pngs(out) > stored, "batch 2 stores an image");
            // SIGTERM through the handle: Process.destroy() would also close our end of the child's output.
            second.process.toHandle().destroy();
            assertTrue(second.awaitExit(), "still running after SIGTERM");
            String output = String.join("\n", second.lines);
            int stop = output.indexOf("stream: stop requested");
            assertTrue(stop >= 0, output);
            assertTrue(output.indexOf("stream: batch 2: ", stop) > stop, "batch 2 finished after SIGTERM: " + output);
            assertTrue(output.indexOf("stream: stopped cleanly", stop) > stop, output);
        }
        assertEquals(0, stream(topic, out));

        assertEquals(lines.size(), pngs(out));
        Dataset<Row> metadata = spark.read().parquet(out.resolve("metadata").toString());
        assertEquals(lines.size(), metadata.count());
        assertEquals(lines.size(), metadata.select("request_id").distinct().count());
        List<ConsumerRecord<byte[], byte[]>> events = read(topic + "-results");
        assertEquals(lines.size(), events.size());
        assertEquals(lines.size(), events.stream().map(e -> new String(e.key(), StandardCharsets.UTF_8))
                .distinct().count());
    }

    /** {@code ldmforge stream} in its own JVM (the test's classpath and JVM flags), 10 messages per second. */
    private static final class ChildStream implements AutoCloseable {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;

        ChildStream(String topic, Path out) throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString()));
            ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(a -> a.startsWith("--") || a.startsWith("-D") || a.startsWith("-XX:+IgnoreUnrecognized"))
                    .forEach(command::add);
            command.addAll(List.of("-Xmx2g", "-cp", System.getProperty("java.class.path"),
                    LdmForgeCli.class.getName()));
            command.addAll(args(topic, out));
            command.addAll(List.of("--master", "local[2]", "--trigger-interval", "1 second",
                    "--max-offsets-per-trigger", "10"));
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String l = r.readLine(); l != null; l = r.readLine()) {
                        lines.add(l);
                    }
                } catch (IOException e) {
                    // the process ended
                }
            });
            reader.setDaemon(true);
            reader.start();
        }

        String awaitLine(Predicate<String> wanted) throws InterruptedException {
            await(() -> lines.stream().anyMatch(wanted), "a line");
            return lines.stream().filter(wanted).findFirst().orElseThrow();
        }

        void await(BooleanSupplier condition, String what) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!condition.getAsBoolean()) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("no " + what + "; output:\n" + String.join("\n", lines));
                }
                Thread.sleep(50);
            }
        }

        /** Waits for the process to exit and for its output to be read to the end. */
        boolean awaitExit() throws InterruptedException {
            boolean exited = process.waitFor(120, TimeUnit.SECONDS);
            reader.join(10_000);
            return exited;
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
