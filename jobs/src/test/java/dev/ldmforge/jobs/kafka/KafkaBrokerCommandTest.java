package dev.ldmforge.jobs.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code ldmforge kafka-broker} as its own process, as a user runs it: ready line, then a clean stop on SIGTERM. */
class KafkaBrokerCommandTest {
    @Test
    void printsReadyServesClientsAndStopsCleanlyOnSigterm(@TempDir Path tmp) throws Exception {
        int port = KafkaBroker.freePort();
        Path dataDir = tmp.resolve("kafka");
        Path stderr = tmp.resolve("stderr.txt");
        Process cli = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-D" + KafkaBroker.CLASSPATH_PROPERTY + "=" + KafkaBroker.classpathFile(),
                "-cp", System.getProperty("java.class.path"),
                "dev.ldmforge.jobs.cli.LdmForgeCli", "kafka-broker", "--port", String.valueOf(port),
                "--data-dir", dataDir.toString()))
                .redirectError(stderr.toFile())
                .start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(cli.getInputStream(),
                    StandardCharsets.UTF_8));
            String line = CompletableFuture.supplyAsync(() -> readLine(out)).get(90, TimeUnit.SECONDS);
            assertTrue(line != null && line.contains("ready at 127.0.0.1:" + port),
                    line + " / " + Files.readString(stderr));

            Topics.createIfMissing("127.0.0.1:" + port, "served", 1);

            cli.destroy();
            assertTrue(cli.waitFor(60, TimeUnit.SECONDS), "still running after SIGTERM");
            assertEquals(0, cli.exitValue(), Files.readString(stderr));
            assertFalse(accepts(port), "the broker outlived the command");
            assertTrue(Files.exists(dataDir.resolve("kraft/served-0")), "topic data kept in the data directory");
        } finally {
            cli.destroyForcibly();
        }
    }

    private static String readLine(BufferedReader reader) {
        try {
            return reader.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
