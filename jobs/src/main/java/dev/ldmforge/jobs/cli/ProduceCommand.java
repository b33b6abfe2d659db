package dev.ldmforge.jobs.cli;

import dev.ldmforge.jobs.kafka.BootstrapServers;
import dev.ldmforge.jobs.kafka.LineProducer;
import dev.ldmforge.jobs.kafka.Topics;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** Sends a file's lines to a Kafka topic, one message each. */
@Command(
        name = "produce",
        mixinStandardHelpOptions = true,
        description = {"Sends each non-blank line of a file (e.g. prompts as JSON Lines) to a Kafka topic as one "
                + "message, bytes unchanged and without a key, creating the topic when missing. Prints how many "
                + "messages were sent."},
        footer = {"", "Examples:",
            "  ./ldmforge produce --bootstrap-servers 127.0.0.1:9092 --topic prompts \\",
            "      --file prompts.jsonl",
            "  ./ldmforge produce --bootstrap-servers 127.0.0.1:9092 --topic prompts \\",
            "      --file prompts.jsonl --create-partitions 4",
            "  head -n 10 prompts.jsonl | ./ldmforge produce \\",
            "      --bootstrap-servers 127.0.0.1:9092 --topic prompts --file -"})
final class ProduceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Kafka brokers to connect to.")
    String bootstrapServers;

    @Option(names = "--topic", required = true, paramLabel = "TOPIC", description = "Topic to send to.")
    String topic;

    @Option(names = "--file", required = true, paramLabel = "FILE", description = "Lines to send; - reads stdin.")
    String file;

    @Option(names = "--create-partitions", defaultValue = "1", paramLabel = "N",
            description = "Partitions of the topic when it has to be created (default: ${DEFAULT-VALUE}).")
    int partitions;

    @Override
    public Integer call() {
        if (partitions < 1) {
            throw new ParameterException(spec.commandLine(), "--create-partitions must be at least 1, got "
                    + partitions);
        }
        BootstrapServers servers;
        try {
            servers = BootstrapServers.parse(bootstrapServers);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--bootstrap-servers: " + e.getMessage());
        }
        boolean stdin = "-".equals(file);
        if (!stdin && !Files.isRegularFile(Path.of(file))) {
            throw new ParameterException(spec.commandLine(), "--file: no such file: " + file);
        }
        if (!servers.anyAccepts(Duration.ofSeconds(5))) {
            spec.commandLine().getErr().println("produce: cannot connect to Kafka at " + bootstrapServers);
            return 1;
        }
        try {
            boolean created = Topics.createIfMissing(bootstrapServers, topic, partitions);
            long sent;
            if (stdin) {
                sent = LineProducer.send(bootstrapServers, topic, System.in);
            } else {
                try (InputStream in = Files.newInputStream(Path.of(file))) {
                    sent = LineProducer.send(bootstrapServers, topic, in);
                }
            }
            spec.commandLine().getOut().println("sent " + sent + " messages to topic " + topic
                    + (created ? " (created it with " + partitions + " partition(s))" : ""));
            return 0;
        } catch (KafkaException e) {
            spec.commandLine().getErr().println("produce: " + e.getMessage());
        } catch (IOException e) {
            spec.commandLine().getErr().println("produce: cannot read " + file + ": " + e.getMessage());
        }
        return 1;
    }
}
