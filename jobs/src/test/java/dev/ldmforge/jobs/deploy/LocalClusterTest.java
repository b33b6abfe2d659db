package dev.ldmforge.jobs.deploy;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/local-cluster/start.sh and stop.sh against real JVMs: a master and two workers with one fake GPU each, a
 * driver in this JVM, tasks that report the executor process they ran in and the GPU Spark assigned them.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LocalClusterTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path SCRIPTS = ROOT.resolve("deploy/local-cluster");
    private static final Path WORK = Path.of("target/local-cluster-test").toAbsolutePath();
    private static String master;
    private static List<String> daemonPids;

    /**
     * What a task saw: its executor's process and id, the GPU addresses Spark assigned it, and the settings an
     * executor needs (offline DJL as property and environment, OpenMP threads, the Spark module flags).
     */
    static final class Probe implements Function<Integer, String> {
        @Override
        public String call(Integer ignored) throws InterruptedException {
            Thread.sleep(300); // long enough that the scheduler spreads the tasks over both executors
            ResourceInformation gpu = TaskContext.get().resources().get("gpu").getOrElse(() -> null);
            boolean moduleFlags = List.of(ProcessHandle.current().info().arguments().orElse(new String[0]))
                    .contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED");
            return ProcessHandle.current().pid() + " " + SparkEnv.get().executorId() + " "
                    + (gpu == null ? "cpu" : "gpu:" + String.join(",", gpu.addresses())) + " "
                    + System.getProperty("ai.djl.offline") + "/" + System.getenv("DJL_OFFLINE") + "/"
                    + System.getenv("OMP_NUM_THREADS") + "/" + moduleFlags;
        }
    }

    @BeforeAll
    static void startCluster() throws Exception {
        long start = System.nanoTime();
        run(SCRIPTS.resolve("stop.sh").toString(), "--work-dir", WORK.toString()); // leftovers of an aborted run
        String classpath = System.getProperty("java.class.path");
        List<String> out = run(SCRIPTS.resolve("start.sh").toString(), "--workers", "2", "--gpus-per-worker", "1",
                "--memory-per-worker", "768m", "--work-dir", WORK.toString(), "--classpath", classpath);
        master = out.get(out.size() - 1);
        assertTrue(master.matches("spark://127\\.0\\.0\\.1:\\d+"), "last line is the master URL: " + out);
        daemonPids = new ArrayList<>();
        try (var files = Files.list(WORK.resolve("pids"))) {
            for (Path f : files.toList()) {
                daemonPids.add(Files.readString(f).trim());
            }
        }
        assertEquals(3, daemonPids.size(), "master + 2 worker pid files");
        System.err.printf("cluster up in %.1f s%n", (System.nanoTime() - start) / 1e9);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (master != null) {
            run(SCRIPTS.resolve("stop.sh").toString(), "--work-dir", WORK.toString());
        }
    }

    @Test
    void tasksRunInTwoExecutorProcessesWithTheirOwnGpu() throws Exception {
        SparkSession spark = session();
        try {
            List<String> seen = probe(spark);
            Set<String> pids = column(seen, 0);
            assertEquals(2, pids.size(), "two executor JVMs: " + seen);
            assertFalse(pids.contains(String.valueOf(ProcessHandle.current().pid())), "no task ran in the driver");
            assertEquals(2, column(seen, 1).size(), "two executor ids: " + seen);
            assertEquals(Set.of("gpu:0"), column(seen, 2), "every task got the worker's one fake GPU");
            assertEquals(Set.of("true/true/1/true"), column(seen, 3), "executor JVM settings");

            // The application is still running: stop.sh must also end the executors the workers spawned, even the
            // one a worker killed with SIGKILL leaves orphaned.
            pids.forEach(pid -> assertTrue(alive(pid), "executor " + pid + " runs until stop.sh"));
            long worker1 = Long.parseLong(Files.readString(WORK.resolve("pids/worker-1.pid")).trim());
            ProcessHandle.of(worker1).ifPresent(ProcessHandle::destroyForcibly);
            stopCluster();
            master = null;
            daemonPids.forEach(pid -> assertFalse(alive(pid), "daemon " + pid + " stopped"));
            pids.forEach(pid -> assertFalse(alive(pid), "executor " + pid + " stopped"));
            assertTrue(isEmpty(WORK.resolve("pids")), "pid files removed");
        } finally {
            spark.stop();
        }
    }

    private static SparkSession session() throws Exception {
        long start = System.nanoTime();
        SparkSession spark = SparkSession.builder()
                .appName("local-cluster-test")
                .master(master)
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.executor.memory", "512m")
                .config("spark.executor.cores", "1")
                .config("spark.executor.extraJavaOptions", jvmFlags() + " -Dai.djl.offline=true")
                // Same host: the executors read this module's class folders where they are.
                .config("spark.executor.extraClassPath", directories(System.getProperty("java.class.path")))
                .config("spark.executorEnv.OMP_NUM_THREADS", "1")
                .config("spark.executor.resource.gpu.amount", "1")
                .config("spark.task.resource.gpu.amount", "1")
                .getOrCreate();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (spark.sparkContext().statusTracker().getExecutorInfos().length < 3) { // 2 executors + driver
            assertTrue(System.nanoTime() < deadline, "two executors registered in time");
            Thread.sleep(200);
        }
        System.err.printf("executors up in %.1f s%n", (System.nanoTime() - start) / 1e9);
        return spark;
    }

    private static List<String> probe(SparkSession spark) {
        return JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(List.of(0, 1, 2, 3, 4, 5, 6, 7), 8).map(new Probe()).collect();
    }

    private static boolean alive(String pid) {
        return ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
    }

    private static Set<String> column(List<String> rows, int i) {
        return rows.stream().map(r -> r.split(" ")[i]).collect(Collectors.toSet());
    }

    private static String jvmFlags() throws IOException {
        return Files.readString(ROOT.resolve("jobs/target/jvm-flags.txt")).trim();
    }

    private static String directories(String classpath) {
        return Arrays.stream(classpath.split(File.pathSeparator)).filter(e -> Files.isDirectory(Path.of(e)))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static List<String> run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished: " + String.join(" ", command));
        assertEquals(0, p.exitValue(), command[0] + " failed:\n" + out);
        return out.lines().toList();
    }
}
