package dev.ldmforge.jobs.kafka;

import dev.ldmforge.jobs.cli.LdmForgeCli;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The produce command against a real broker, read back with kafka-clients. */
class KafkaProduceCommandTest {
    private static final List<String> LINES = IntStream.range(0, 50)
            .mapToObj(i -> "{\"id\":\"p" + i + "\",\"prompt\":\"a café at dusk, nº " + i + "\"}")
            .toList();

    @Test
    void sendsEachLineAsOneMessageInFileOrder(@TempDir Path tmp) throws Exception {
        KafkaBroker broker = KafkaTestBroker.get();
        Path file = tmp.resolve("prompts.jsonl");
        // A CRLF line, blank lines and no final newline: terminators and blank lines are not messages.
        Files.writeString(file, String.join("\n", LINES.subList(0, 10)) + "\r\n\n  \n"
                + String.join("\n", LINES.subList(10, 50)), StandardCharsets.UTF_8);

        Result r = run("produce", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "prompts-file",
                "--file", file.toString());

        assertEquals(0, r.status, r.err);
        assertTrue(r.out.contains("sent 50 messages to topic prompts-file"), r.out);
        List<ConsumerRecord<byte[], byte[]>> records =
                KafkaTestBroker.readToEnd(broker.bootstrapServers(), "prompts-file", false);
        assertEquals(LINES, records.stream().map(c -> new String(c.value(), StandardCharsets.UTF_8)).toList());
        assertTrue(records.stream().allMatch(c -> c.key() == null));
    }

    @Test
    void readsStdinAndCreatesTheTopicWithTheGivenPartitions() throws Exception {
        KafkaBroker broker = KafkaTestBroker.get();
        InputStream stdin = System.in;
        Result r;
        try {
            System.setIn(new ByteArrayInputStream((String.join("\n", LINES) + "\n").getBytes(StandardCharsets.UTF_8)));
            r = run("produce", "--bootstrap-servers", broker.bootstrapServers(), "--topic", "prompts-stdin",
                    "--file", "-", "--create-partitions", "3");
        } finally {
            System.setIn(stdin);
        }

        assertEquals(0, r.status, r.err);
        assertTrue(r.out.contains("sent 50 messages"), r.out);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()))) {
            assertEquals(3, admin.describeTopics(List.of("prompts-stdin")).allTopicNames().get()
                    .get("prompts-stdin").partitions().size());
        }
        assertEquals(LINES.stream().sorted().toList(),
                KafkaTestBroker.readToEnd(broker.bootstrapServers(), "prompts-stdin", false).stream()
                        .map(c -> new String(c.value(), StandardCharsets.UTF_8)).sorted().toList());
    }

    @Test
    void badArgumentsExitWithStatus2() {
        Result missing = run("produce", "--topic", "t", "--file", "-");
        assertEquals(2, missing.status);
        assertTrue(missing.err.contains("--bootstrap-servers"), missing.err);

        Result noFile = run("produce", "--bootstrap-servers", "127.0.0.1:1", "--topic", "t", "--file",
                "/nonexistent/prompts.jsonl");
        assertEquals(2, noFile.status);
        assertTrue(noFile.err.contains("no such file: /nonexistent/prompts.jsonl"), noFile.err);

        assertEquals(2, run("produce", "--bootstrap-servers", "127.0.0.1:1", "--topic", "t", "--file", "-",
                "--create-partitions", "0").status);

        Result malformed = run("produce", "--bootstrap-servers", "127.0.0.1", "--topic", "t", "--file", "-");
        assertEquals(2, malformed.status);
        assertTrue(malformed.err.contains("--bootstrap-servers: expected HOST:PORT, got '127.0.0.1'"), malformed.err);
    }

    @Test
    void anUnreachableBrokerFailsAtOnceWithOneLine() throws Exception {
        Result r = run("produce", "--bootstrap-servers", "127.0.0.1:" + KafkaBroker.freePort(), "--topic", "t",
                "--file", "-");
        assertEquals(1, r.status);
        assertTrue(r.err.startsWith("produce: cannot connect to Kafka at 127.0.0.1:") && r.err.lines().count() == 1,
                r.err);
    }

    private record Result(int status, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = LdmForgeCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int status = cli.execute(args);
        return new Result(status, out.toString(), err.toString());
    }
}
