package dev.ldmforge.jobs.testing;

import dev.ldmforge.jobs.storage.S3Settings;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real S3-compatible server (S3Proxy, filesystem backend) in a child JVM on 127.0.0.1, started once per test run
 * and stopped when the JVM exits. It runs on its own classpath (services/s3proxy/target/s3proxy-classpath.txt) so its
 * dependencies never meet Spark's. Authorization is off: tests use static dummy credentials.
 */
public final class S3ProxyServer {
    private static S3ProxyServer instance;

    private final Process process;
    private final int port;
    private final Path dataDir;

    private S3ProxyServer(Process process, int port, Path dataDir) {
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
    }

    public static synchronized S3ProxyServer get() {
        if (instance == null) {
            instance = start();
            Runtime.getRuntime().addShutdownHook(new Thread(instance.process::destroy));
        }
        return instance;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Settings for a store at this server (or at a proxy in front of it). */
    public static S3Settings settings(String endpoint, int maxAttempts) {
        System.setProperty("aws.accessKeyId", "test");
        System.setProperty("aws.secretAccessKey", "test");
        return new S3Settings(endpoint, "us-east-1", true, maxAttempts);
    }

    /** Creates a bucket (idempotent). */
    public void createBucket(String bucket) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(endpoint() + "/" + bucket))
                            .PUT(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200 && r.statusCode() != 409) {
                throw new IllegalStateException("cannot create bucket " + bucket + ": " + r.statusCode() + " "
                        + r.body());
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("cannot create bucket " + bucket, e);
        }
    }

    private static S3ProxyServer start() {
        try {
            String cpFile = System.getProperty("ldmforge.s3proxy.classpath",
                    "../services/s3proxy/target/s3proxy-classpath.txt");
            Path cp = Path.of(cpFile);
            if (!Files.isRegularFile(cp)) {
                throw new IllegalStateException("S3Proxy classpath file missing: " + cp.toAbsolutePath()
                        + " (build the services: mvn -pl services/s3proxy generate-resources)");
            }
            int port = freePort();
            Path dir = Files.createTempDirectory("ldmforge-s3proxy");
            Path data = Files.createDirectories(dir.resolve("data"));
            Path props = dir.resolve("s3proxy.properties");
            Files.writeString(props, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + port,
                    "s3proxy.authorization=none",
                    "s3proxy.ignore-unknown-headers=true",
                    "jclouds.provider=filesystem",
                    "jclouds.filesystem.basedir=" + data) + "\n");
            Path logback = dir.resolve("logback.xml");
            Files.writeString(logback, "<configuration><root level=\"WARN\"/></configuration>\n");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(List.of(java, "-Xmx256m", "-Dlogback.configurationFile=" + logback,
                    "-cp", Files.readString(cp).trim(), "org.gaul.s3proxy.Main", "--properties", props.toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("s3proxy.log").toFile())
                    .start();
            S3ProxyServer server = new S3ProxyServer(p, port, data);
            server.awaitReady(dir.resolve("s3proxy.log"));
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start S3Proxy", e);
        }
    }

    private void awaitReady(Path log) throws IOException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited: " + Files.readString(log));
            }
            try {
                http.send(HttpRequest.newBuilder(URI.create(endpoint() + "/")).GET().build(),
                        HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                sleep();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("S3Proxy not ready after 60 s: " + Files.readString(log));
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
