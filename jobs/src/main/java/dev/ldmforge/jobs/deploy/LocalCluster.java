package dev.ldmforge.jobs.deploy;

import org.apache.spark.sql.SparkSession;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Spark standalone cluster on this machine, as the scaling benchmarks and the cluster tests use it:
 * deploy/local-cluster's master and N workers of one core each (start.sh exports OMP_NUM_THREADS=1 to their
 * executors, and each executor sizes its libtorch threads per task slot: 1), with this JVM as the driver. Stopped,
 * executors included, by {@link #close}; the work folder (logs, pid files) stays for inspection.
 */
public final class LocalCluster implements AutoCloseable {
    private final Path scripts;
    private final Path work;
    private final String master;
    private final int executors;

    private LocalCluster(Path scripts, Path work, String master, int executors) {
        this.scripts = scripts;
        this.work = work;
        this.master = master;
        this.executors = executors;
    }

    /** Starts {@code workers} one-core workers with {@code work} (emptied first, leftovers stopped) as work folder. */
    public static LocalCluster start(int workers, Path work) {
        Path scripts = projectRoot().resolve("deploy/local-cluster");
        try {
            run(scripts.resolve("stop.sh").toString(), "--work-dir", work.toString()); // an aborted run's leftovers
            deleteRecursively(work);
            List<String> out = run(scripts.resolve("start.sh").toString(), "--workers", Integer.toString(workers),
                    "--cores-per-worker", "1", "--memory-per-worker", "1g", "--work-dir", work.toString(),
                    "--classpath", System.getProperty("java.class.path"));
            return new LocalCluster(scripts, work, out.get(out.size() - 1).trim(), workers);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a local cluster in " + work + ": " + e.getMessage(), e);
        }
    }

    public Path work() {
        return work;
    }

    public String master() {
        return master;
    }

    /**
     * A driver session on the cluster, once every worker's executor has registered; {@code executorJavaOptions} are
     * added to the flags executors need (Spark's module flags, DJL offline).
     */
    public SparkSession session(String appName, String executorJavaOptions) {
        SparkSession spark = SparkSession.builder()
                .appName(appName)
                .master(master)
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.executor.memory", "640m")
                .config("spark.executor.cores", "1")
                // A busy one-core executor would otherwise hold back tasks for cached partitions up to 3 s each.
                .config("spark.locality.wait", "0")
                .config("spark.executor.extraJavaOptions", jvmFlags() + " -Dai.djl.offline=true " + executorJavaOptions)
                .config("spark.executor.extraClassPath", directories(System.getProperty("java.class.path")))
                .getOrCreate();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (spark.sparkContext().statusTracker().getExecutorInfos().length < executors + 1) { // + the driver
            if (System.nanoTime() > deadline) {
                spark.stop();
                throw new IllegalStateException(executors + " executor(s) did not register in 120 s on " + master);
            }
            sleepQuietly();
        }
        return spark;
    }

    @Override
    public void close() {
        try {
            run(scripts.resolve("stop.sh").toString(), "--work-dir", work.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop the local cluster in " + work + ": " + e.getMessage(), e);
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    /** The source tree holding deploy/local-cluster: the one this code was built in. */
    private static Path projectRoot() {
        try {
            Path here = Path.of(LocalCluster.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = here; p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("deploy/local-cluster/start.sh"))) {
                    return p;
                }
            }
        } catch (URISyntaxException | SecurityException e) {
            // fall through to the error below
        }
        throw new IllegalStateException("the cluster benchmarks need the source tree's deploy/local-cluster/start.sh");
    }

    /** The Spark module flags (--add-opens ...) executors need, as the build wrote them. */
    private static String jvmFlags() {
        try {
            return Files.readString(projectRoot().resolve("jobs/target/jvm-flags.txt")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read jobs/target/jvm-flags.txt: " + e.getMessage(), e);
        }
    }

    /** Class directories (test runs) cannot go into the fake SPARK_HOME/jars: executors get them here. */
    private static String directories(String classpath) {
        return Arrays.stream(classpath.split(File.pathSeparator)).filter(e -> Files.isDirectory(Path.of(e)))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private static List<String> run(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed:\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), e);
        }
        return out.lines().toList();
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for executors", e);
        }
    }
}
