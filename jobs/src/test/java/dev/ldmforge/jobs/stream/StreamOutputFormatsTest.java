package dev.ldmforge.jobs.stream;

import dev.ldmforge.jobs.cli.LdmForgeCli;
import dev.ldmforge.jobs.kafka.KafkaTestBroker;
import dev.ldmforge.jobs.kafka.LineProducer;
import dev.ldmforge.jobs.kafka.Topics;
import dev.ldmforge.jobs.storage.Sha256;
import dev.ldmforge.jobs.testing.LocalSpark;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code stream} with {@code --output-format webdataset} and {@code parquet}: each micro-batch writes its own shards
 * ({@code shards/query_id=Q/batch_id=N/}), and a batch that crashes after its files and is replayed leaves exactly
 * one copy of each shard and sample.
 */
class StreamOutputFormatsTest {
    private static final int PROMPTS = 12;
    private static SparkSession spark;

    @TempDir
    Path dir;

    @BeforeAll
    static void startSpark() {
        spark = LocalSpark.start("local[2]", "StreamOutputFormatsTest");
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    private static String topic(String name) throws Exception {
        Topics.createIfMissing(KafkaTestBroker.get().bootstrapServers(), name, 1);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < PROMPTS; i++) {
            lines.add("{\"request_id\": \"s" + i + "\", \"prompt\": \"a blue square number " + i + "\"}");
        }
        LineProducer.send(KafkaTestBroker.get().bootstrapServers(), name,
                new ByteArrayInputStream((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8)));
        return name;
    }

    private static int stream(String topic, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("stream", "--bootstrap-servers",
                KafkaTestBroker.get().bootstrapServers(), "--topic", topic, "--output", out.toString(),
                "--checkpoint", out.resolve("_checkpoint").toString(), "--commit-topic", topic + "-commits",
                "--model", "tiny", "--steps", "2", "--guidance", "1", "--partitions", "2", "--available-now",
                "--max-offsets-per-trigger", "6"));
        args.addAll(List.of(extra));
        return LdmForgeCli.commandLine().execute(args.toArray(String[]::new));
    }

    @Test
    void webdatasetBatchesWriteTheirShardsExactlyOnceAcrossAReplay() throws Exception {
        String topic = topic("prompts-wds");
        Path out = dir.resolve("out");
        assertNotEquals(0, stream(topic, out, "--output-format", "webdataset", "--samples-per-shard", "4",
                "--image-format", "webp", "--fail-after", "files"));
        assertEquals(0, stream(topic, out, "--output-format", "webdataset", "--samples-per-shard", "4",
                "--image-format", "webp"));
        List<Path> tars;
        try (Stream<Path> files = Files.walk(out.resolve("shards"))) {
            tars = files.filter(p -> p.toString().endsWith(".tar")).sorted().toList();
        }
        assertEquals(4, tars.size(), "2 batches of 6 samples, 4 per shard: " + tars);
        Set<String> ids = new HashSet<>();
        for (Path tar : tars) {
            assertTrue(tar.toString().contains("/shards/query_id="), tar.toString());
            Map<String, Set<String>> members = new HashMap<>();
            try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
                for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
                    String name = e.getName();
                    members.computeIfAbsent(name.substring(0, name.indexOf('.')), k -> new HashSet<>())
                            .add(name.substring(name.indexOf('.') + 1));
                    if (name.endsWith(".txt")) {
                        assertTrue(ids.add(new String(t.readAllBytes(), StandardCharsets.UTF_8)), "sample once");
                    }
                }
            }
            members.values().forEach(m -> assertEquals(Set.of("webp", "txt", "json"), m));
            String base = tar.getFileName().toString().replace(".tar", "");
            assertTrue(Files.exists(tar.resolveSibling(base + ".parquet")));
            assertTrue(Files.exists(tar.resolveSibling(base + "_stats.json")));
        }
        assertEquals(PROMPTS, ids.size());
        Dataset<Row> metadata = spark.read().parquet(out.resolve("metadata").toString());
        assertEquals(PROMPTS, metadata.count());
        assertEquals(PROMPTS, metadata.select("request_id", "image_index").distinct().count());
    }

    @Test
    void parquetBatchesHoldTheImagesInTheirRows() throws Exception {
        String topic = topic("prompts-pq");
        Path out = dir.resolve("out");
        assertEquals(0, stream(topic, out, "--output-format", "parquet", "--image-format", "jpeg"));
        Dataset<Row> rows = spark.read().parquet(out.resolve("metadata").toString());
        assertEquals(PROMPTS, rows.count());
        for (Row r : rows.select("image.bytes", "sha256").collectAsList()) {
            byte[] jpeg = r.getAs(0);
            assertEquals(Sha256.hex(jpeg), r.getString(1));
            assertNotNull(ImageIO.read(new ByteArrayInputStream(jpeg)));
        }
        assertTrue(!Files.exists(out.resolve("images")));
    }
}
