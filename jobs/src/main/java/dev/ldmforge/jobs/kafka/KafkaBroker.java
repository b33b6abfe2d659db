package dev.ldmforge.jobs.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A single-node Kafka 4.x broker (KRaft, broker and controller in one process) in a child JVM on 127.0.0.1, for
 * trying the stream and for tests. It runs on its own classpath (services/kafka) because Kafka 4.x needs
 * kafka-clients 4.x while Spark's connector needs 3.9.x. The data directory keeps topics across restarts; the child's
 * output goes to {@code broker.log} in it.
 */
public final class KafkaBroker implements AutoCloseable {
    /** Names the classpath file; without it, {@code kafka-classpath.txt} next to this class's jar or classes dir. */
    public static final String CLASSPATH_PROPERTY = "ldmforge.kafka.classpath";

    private static final String HOST = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** The child logs warnings and errors only. */
    private static final String LOG4J = String.join("\n",
            "rootLogger.level = warn",
            "rootLogger.appenderRef.out.ref = out",
            "appender.out.type = Console",
            "appender.out.name = out",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = %d{HH:mm:ss} %-5p %c{1}: %m%n") + "\n";

    private final Process process;
    private final int port;
    private final Path log;
    private volatile boolean stopRequested;

    private KafkaBroker(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts a broker on {@code 127.0.0.1:port}, formatting {@code dataDir} first when new; returns once ready. */
    public static KafkaBroker start(int port, Path dataDir) throws IOException {
        KafkaBroker broker = launch(port, dataDir);
        try {
            broker.awaitReady();
        } catch (RuntimeException e) {
            broker.stop();
            throw e;
        }
        return broker;
    }

    /**
     * Formats {@code dataDir} when new and starts the broker's JVM; returns at once (see {@link #awaitReady()}), so
     * callers can arrange to stop it before waiting.
     */
    public static KafkaBroker launch(int port, Path dataDir) throws IOException {
        Path classpathFile = classpathFile();
        if (!Files.isRegularFile(classpathFile)) {
            throw new IllegalStateException("Kafka classpath file missing: " + classpathFile.toAbsolutePath()
                    + " (build the project: mvn -DskipTests package)");
        }
        requireFree(port);
        Path dir = Files.createDirectories(dataDir).toAbsolutePath();
        Path logDir = dir.resolve("kraft");
        Path serverProperties = dir.resolve("server.properties");
        Files.writeString(serverProperties, serverProperties(port, freePort(), logDir));
        Path log4j = dir.resolve("log4j2.properties");
        Files.writeString(log4j, LOG4J);
        Path log = dir.resolve("broker.log");

        List<String> java = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms64m", "-Xmx512m", "-Dlog4j2.configurationFile=" + log4j,
                "-cp", Files.readString(classpathFile).trim());
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(java, serverProperties, log);
        }
        return new KafkaBroker(spawn(java, List.of("kafka.Kafka", serverProperties.toString()), log), port, log);
    }

    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public Path log() {
        return log;
    }

    /** True once {@link #stop()} was called: the child's exit is then expected. */
    public boolean stopRequested() {
        return stopRequested;
    }

    /** Blocks until the child exits; returns its exit status. */
    public int awaitExit() throws InterruptedException {
        return process.waitFor();
    }

    /** SIGTERM (Kafka shuts down in order), then a forced kill if it has not exited in time. Idempotent. */
    public void stop() {
        stopRequested = true;
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    static Path classpathFile() {
        String configured = System.getProperty(CLASSPATH_PROPERTY);
        if (configured != null) {
            return Path.of(configured);
        }
        // jobs/target/ldmforge.jar (launcher) or jobs/target/classes (IDE): the jobs build copies the file into
        // jobs/target, so it sits next to either.
        try {
            return Path.of(KafkaBroker.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .getParent().resolve("kafka-classpath.txt");
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String serverProperties(int port, int controllerPort, Path logDir) {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + HOST + ":" + controllerPort,
                "listeners=PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + HOST + ":" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + logDir,
                "num.partitions=1",
                // One node: every internal topic has one replica, or transactions and consumer groups never start.
                "default.replication.factor=1",
                "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                // Few internal partitions: the first consumer group and transaction come up in well under a second.
                "offsets.topic.num.partitions=1",
                "transaction.state.log.num.partitions=1",
                "group.initial.rebalance.delay.ms=0",
                // The compaction buffer defaults to 128 MB of heap.
                "log.cleaner.dedupe.buffer.size=8388608") + "\n";
    }

    private static void format(List<String> java, Path serverProperties, Path log) throws IOException {
        Process p = spawn(java, List.of("kafka.tools.StorageTool", "format",
                "-t", Uuid.randomUuid().toString(), "-c", serverProperties.toString()), log);
        try {
            if (!p.waitFor(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("formatting the Kafka data directory timed out" + tail(log));
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting the Kafka data directory", e);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("formatting the Kafka data directory failed" + tail(log));
        }
    }

    private static Process spawn(List<String> java, List<String> mainAndArgs, Path log) throws IOException {
        List<String> command = new ArrayList<>(java);
        command.addAll(mainAndArgs);
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /**
     * Waits for the listener, then until clients get cluster metadata (the broker is then up and unfenced). Throws
     * {@link IllegalStateException} if the broker exits or is not ready in time.
     */
    public void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        // Polling the port first keeps the admin client from logging a warning per refused connection.
        InetSocketAddress listener = new InetSocketAddress(HOST, port);
        while (!BootstrapServers.accepts(listener, Duration.ofMillis(500))) {
            checkAlive(deadline);
            pause();
        }
        Map<String, Object> config = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000);
        try (Admin admin = Admin.create(config)) {
            while (true) {
                checkAlive(deadline);
                try {
                    if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes()
                            .get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    pause();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
                }
            }
        }
    }

    private void checkAlive(long deadline) {
        if (!process.isAlive()) {
            throw new IllegalStateException("Kafka broker exited with status " + process.exitValue()
                    + " while starting" + tail(log));
        }
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("Kafka broker not ready after " + READY_TIMEOUT.toSeconds() + " s"
                    + tail(log));
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
        }
    }

    /** A busy port would let the readiness check talk to someone else's server. */
    private static void requireFree(int port) {
        try {
            new ServerSocket(port, 1, InetAddress.getByName(HOST)).close();
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " on " + HOST + " is in use");
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return "; last lines of " + log + ":\n" + String.join("\n",
                    lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "; see " + log;
        }
    }
}
