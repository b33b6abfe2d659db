package dev.ldmforge.jobs.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ldmforge.jobs.cli.LdmForgeCli;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code generate} on a real standalone cluster (deploy/local-cluster, two workers with one core each, the driver in
 * this JVM): the tasks run in two executor JVMs, each loads the model once, and a run that loses an executor JVM to
 * SIGKILL mid-job still ends with exactly one image and one metadata row per image.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // ≈ 2 min at load 6 on 2 cores, ≈ 4 at load 20
class ClusterGenerateTest {
    private static final Path WORK = Path.of("target/cluster-generate-test").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PROMPTS = 40;
    private static final String LOADED = "loaded model demo";
    private static LocalCluster cluster;
    private static SparkSession spark;

    @BeforeAll
    static void startClusterAndDriver() {
        cluster = LocalCluster.start(2, WORK);
        // The project's log4j2 config: dev.ldmforge at INFO, so "loaded model" reaches the executor's stderr.
        spark = cluster.session("cluster-generate-test",
                "-Dlog4j.configurationFile=" + Path.of("target/classes/log4j2.properties").toAbsolutePath());
        assertEquals(cluster.master(), spark.sparkContext().master(), "a cluster session, not one left by another test");
    }

    @AfterAll
    static void stopAll() throws Exception {
        try {
            if (spark != null) {
                spark.stop();
            }
        } finally {
            if (cluster != null) {
                List<ProcessHandle> processes = ClusterProcesses.all(WORK);
                cluster.close();
                processes.forEach(p -> assertFalse(p.isAlive(), "stopped: " + p.pid() + " " + p.info().command()));
            }
        }
    }

    @Test
    void twoExecutorsOneModelLoadEachAndExactlyOnceDespiteAKilledExecutor() throws Exception {
        Path prompts = WORK.resolve("prompts.jsonl");
        Files.write(prompts, IntStream.range(0, PROMPTS).mapToObj(i -> String.format(
                "{\"request_id\":\"p%02d\",\"prompt\":\"shape number %d\",\"seed\":%d}", i, i, i)).toList());

        // Run 1: tasks spread over both executor JVMs, each of which loads the model exactly once.
        Path first = WORK.resolve("out-1");
        assertEquals(0, generate(prompts, first));
        assertExactlyOnce(first);
        Map<String, Long> pids = ClusterProcesses.executorPids(WORK);
        Set<String> ran = executorIds(first);
        assertEquals(2, ran.size(), "tasks ran in two executors: " + ran);
        Set<Long> ranIn = new HashSet<>();
        for (String id : ran) {
            Long pid = pids.get(id);
            assertTrue(pid != null, "a live JVM for executor " + id + ": " + pids);
            assertNotEquals(ProcessHandle.current().pid(), pid, "no task ran in the driver");
            ranIn.add(pid);
        }
        assertEquals(2, ranIn.size(), "two executor processes: " + pids);
        ran.forEach(id -> assertEquals(1, modelLoads(id), "model loads in executor " + id));

        // Run 2: SIGKILL the executor that just finished a generation task, once it has started its next one: some
        // images exist, and the kill surely lands in a running task (whose images may be half written), not between
        // tasks or after the last one.
        Path second = WORK.resolve("out-2");
        GenerationTasks tasks = new GenerationTasks();
        spark.sparkContext().addSparkListener(tasks);
        CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() -> generate(prompts, second));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        String victim;
        while ((victim = tasks.busyAgainAfterFirstFinish()) == null) {
            assertFalse(job.isDone(), "the job is still running when a generation task has finished");
            assertTrue(System.nanoTime() < deadline, "a generation task finished in time");
            Thread.sleep(20);
        }
        ProcessHandle process = ProcessHandle.of(ClusterProcesses.executorPids(WORK).get(victim)).orElseThrow();
        process.destroyForcibly();
        int before = pngs(second).size();
        assertTrue(process.onExit().get(10, TimeUnit.SECONDS) != null && !process.isAlive(), "executor killed");
        assertTrue(before > 0 && before < PROMPTS && !job.isDone(),
                "killed mid-job (" + before + " of " + PROMPTS + " images)");
        System.err.printf("killed executor %s (pid %d) after %d of %d images%n", victim, process.pid(), before,
                PROMPTS);

        assertEquals(0, job.get(120, TimeUnit.SECONDS), "the job completes without the killed executor");
        spark.sparkContext().removeSparkListener(tasks);
        assertTrue(tasks.lostTasks() > 0, "the killed executor's running task was lost, and run again elsewhere");
        assertExactlyOnce(second);
        // A surviving executor reuses its model; one the worker started in place of the killed one loads it once.
        for (String id : executorIds(second)) {
            assertEquals(1, modelLoads(id), "model loads in executor " + id);
        }
    }

    private static int generate(Path prompts, Path out) {
        return LdmForgeCli.commandLine().execute("generate", "--master", spark.sparkContext().master(),
                "--prompts", prompts.toString(), "--output", out.toString(), "--steps", "2", "--partitions", "8",
                "--batch-size", "1");
    }

    /** One PNG per prompt, one metadata row per PNG and no duplicate keys, and the summary reconciles. */
    private static void assertExactlyOnce(Path out) throws IOException {
        JsonNode summary = JSON.readTree(out.resolve("_SUMMARY.json").toFile());
        assertTrue(summary.get("reconciled").asBoolean(), "summary reconciled: " + summary);
        assertEquals(0, summary.get("dead_lettered").asLong(), "no dead letters: " + summary);
        assertEquals(PROMPTS, pngs(out).size(), "PNGs in " + out);
        Dataset<Row> metadata = spark.read().parquet(out.resolve("metadata").toString());
        assertEquals(PROMPTS, metadata.count(), "metadata rows");
        assertEquals(PROMPTS, metadata.select("request_id", "image_index").distinct().count(), "distinct images");
        Set<String> uris = metadata.select("image_uri").collectAsList().stream().map(r -> r.getString(0))
                .collect(Collectors.toSet());
        assertEquals(pngs(out).stream().map(Path::toString).collect(Collectors.toSet()), uris, "rows name the PNGs");
    }

    private static Set<String> executorIds(Path out) {
        return spark.read().parquet(out.resolve("metadata").toString()).select("executor_id").distinct()
                .collectAsList().stream().map(r -> r.getString(0)).collect(Collectors.toSet());
    }

    /** "loaded model" lines in the executor's stderr (work/worker-N/app-id/executor-id/stderr). */
    private static long modelLoads(String executorId) {
        String app = spark.sparkContext().applicationId();
        List<Path> logs = new ArrayList<>();
        for (int worker = 1; worker <= 2; worker++) {
            Path log = WORK.resolve("worker-" + worker).resolve(app).resolve(executorId).resolve("stderr");
            if (Files.isRegularFile(log)) {
                logs.add(log);
            }
        }
        assertEquals(1, logs.size(), "one stderr log for executor " + executorId);
        try (Stream<String> lines = Files.lines(logs.get(0), StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(LOADED)).count();
        } catch (IOException e) {
            return fail("cannot read " + logs.get(0), e);
        }
    }

    private static List<Path> pngs(Path out) throws IOException {
        Path images = out.resolve("images");
        if (!Files.isDirectory(images)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(images)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".png")).toList();
        }
    }
}
