package dev.ldmforge.jobs.cli;

import dev.ldmforge.jobs.kafka.KafkaBroker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Runs a local Kafka broker in the foreground until Ctrl-C or SIGTERM. */
@Command(
        name = "kafka-broker",
        mixinStandardHelpOptions = true,
        description = {"Runs a single-node Kafka 4.x broker (KRaft) on 127.0.0.1 in the foreground, for trying the "
                + "stream. Topics persist in the data directory; the broker's log is broker.log there. Ctrl-C or "
                + "SIGTERM stops it cleanly."},
        footer = {"", "Examples:",
            "  ./ldmforge kafka-broker --port 9092 --data-dir /tmp/ldmforge-kafka",
            "  ./ldmforge produce --bootstrap-servers 127.0.0.1:9092 --topic prompts \\",
            "      --file prompts.jsonl"})
final class KafkaBrokerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", required = true, paramLabel = "PORT", description = "Client port on 127.0.0.1.")
    int port;

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "Where the broker keeps its data (created and formatted when new).")
    Path dataDir;

    @Override
    public Integer call() {
        if (port < 1 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be in 1..65535, got " + port);
        }
        long started = System.nanoTime();
        KafkaBroker broker;
        try {
            broker = KafkaBroker.launch(port, dataDir);
        } catch (IllegalStateException | IOException e) {
            spec.commandLine().getErr().println("kafka-broker: cannot start: " + e.getMessage());
            return 1;
        }
        // SIGTERM or Ctrl-C stops the broker; the JVM would then exit 143 or 130, but a clean stop is a success.
        Thread hook = new Thread(() -> {
            broker.stop();
            Runtime.getRuntime().halt(0);
        }, "kafka-broker-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        String failure = serve(broker, started);
        if (broker.stopRequested()) {
            return 0;
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        broker.stop();
        if (failure == null) {
            return 0;
        }
        spec.commandLine().getErr().println("kafka-broker: " + failure);
        return 1;
    }

    /** Waits until ready, says so, then until the broker ends; returns why it ended, or null when interrupted. */
    private String serve(KafkaBroker broker, long started) {
        try {
            broker.awaitReady();
            PrintWriter out = spec.commandLine().getOut();
            out.printf("kafka broker ready at %s in %.1f s (data %s, log %s); Ctrl-C stops it%n",
                    broker.bootstrapServers(), (System.nanoTime() - started) / 1e9, dataDir, broker.log());
            out.flush();
            return "the broker exited with status " + broker.awaitExit() + "; see " + broker.log();
        } catch (IllegalStateException e) {
            return e.getMessage();
        } catch (InterruptedException e) {
            // In-process callers stop the command by interrupting its thread.
            return null;
        }
    }
}
