package dev.ldmforge.jobs.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.jobs.cli.LdmForgeCli;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code generate --output-format webdataset --image-format webp} on a real standalone cluster (two single-core
 * executors, WebP encoded by libwebp inside the executor JVMs): an executor JVM killed by SIGKILL while it writes a
 * shard still leaves exactly one complete copy of every shard and every sample.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ClusterShardsTest {
    private static final Path WORK = Path.of("target/cluster-shards-test").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PROMPTS = 40;
    private static final int PER_SHARD = 5;
    private static LocalCluster cluster;
    private static SparkSession spark;

    @BeforeAll
    static void startClusterAndDriver() {
        cluster = LocalCluster.start(2, WORK);
        spark = cluster.session("cluster-shards-test", "");
        assertEquals(cluster.master(), spark.sparkContext().master(), "a cluster session, not one left by another test");
    }

    @AfterAll
    static void stopAll() {
        try {
            if (spark != null) {
                spark.stop();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    void aKilledExecutorLeavesExactlyOneCopyOfEveryShardAndSample() throws Exception {
        Path prompts = WORK.resolve("prompts.jsonl");
        Files.write(prompts, IntStream.range(0, PROMPTS).mapToObj(i -> String.format(
                "{\"request_id\":\"p%02d\",\"prompt\":\"shape number %d\",\"seed\":%d}", i, i, i)).toList());
        Path out = WORK.resolve("out");
        GenerationTasks tasks = new GenerationTasks();
        spark.sparkContext().addSparkListener(tasks);
        CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() -> LdmForgeCli.commandLine().execute(
                "generate", "--master", spark.sparkContext().master(), "--model", "tiny", "--prompts",
                prompts.toString(), "--output", out.toString(), "--steps", "2", "--batch-size", "1",
                "--output-format", "webdataset", "--image-format", "webp", "--samples-per-shard", "" + PER_SHARD));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String victim;
        while ((victim = tasks.busyAgainAfterFirstFinish()) == null) {
            assertFalse(job.isDone(), "the job is still running when a shard task has finished");
            assertTrue(System.nanoTime() < deadline, "a shard task finished in time");
            Thread.sleep(20);
        }
        ProcessHandle process = ProcessHandle.of(ClusterProcesses.executorPids(WORK).get(victim)).orElseThrow();
        process.destroyForcibly();
        assertTrue(process.onExit().get(10, TimeUnit.SECONDS) != null && !process.isAlive(), "executor killed");
        int before = tars(out).size();
        assertTrue(before > 0 && before < PROMPTS / PER_SHARD && !job.isDone(), "killed mid-job: " + before);
        assertEquals(0, job.get(180, TimeUnit.SECONDS), "the job completes without the killed executor");
        spark.sparkContext().removeSparkListener(tasks);
        assertTrue(tasks.lostTasks() > 0, "the killed executor's running shard task was lost, and run again elsewhere");

        JsonNode summary = JSON.readTree(out.resolve("_SUMMARY.json").toFile());
        assertTrue(summary.get("reconciled").asBoolean(), summary.toString());
        List<Path> tars = tars(out);
        assertEquals(PROMPTS / PER_SHARD, tars.size(), tars.toString());
        Set<String> prompted = new HashSet<>();
        for (Path tar : tars) {
            Map<String, Set<String>> samples = new TreeMap<>();
            try (InputStream in = Files.newInputStream(tar); TarArchiveInputStream t = new TarArchiveInputStream(in)) {
                for (TarArchiveEntry e = t.getNextEntry(); e != null; e = t.getNextEntry()) {
                    String name = e.getName();
                    samples.computeIfAbsent(name.substring(0, name.indexOf('.')), k -> new HashSet<>())
                            .add(name.substring(name.indexOf('.') + 1));
                    if (name.endsWith(".txt")) {
                        assertTrue(prompted.add(new String(t.readAllBytes(), StandardCharsets.UTF_8)), "once: " + name);
                    }
                }
            }
            assertEquals(PER_SHARD, samples.size(), tar + ": " + samples);
            samples.values().forEach(m -> assertEquals(Set.of("webp", "txt", "json"), m));
        }
        assertEquals(PROMPTS, prompted.size());
        Dataset<Row> metadata = spark.read().parquet(out.resolve("metadata").toString());
        assertEquals(PROMPTS, metadata.count(), "metadata rows");
        assertEquals(PROMPTS, metadata.select("request_id", "image_index").distinct().count(), "distinct images");
    }

    private static List<Path> tars(Path out) throws IOException {
        if (!Files.isDirectory(out.resolve("shards"))) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(out.resolve("shards"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tar")).sorted().toList();
        }
    }
}
