package dev.ldmforge.jobs.stream;

import dev.ldmforge.jobs.generate.JobOptions;
import dev.ldmforge.jobs.generate.JobSettings;
import dev.ldmforge.jobs.spark.SparkSessions;
import dev.ldmforge.schemas.PromptValidator;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQueryException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;

/** {@code ldmforge stream}: the streaming job, also run by spark-submit through {@link StreamMain}. */
@Command(name = "stream", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate images for prompts arriving on a Kafka topic, with Spark Structured Streaming: "
                + "images, metadata and dead letters land in the output, result events and dead letters on Kafka, "
                + "each exactly once across restarts from the checkpoint.",
        footer = {"", "Examples:",
            "  ./ldmforge stream --bootstrap-servers 127.0.0.1:9092 --topic prompts --output out/ \\",
            "      --checkpoint out/_checkpoint --results-topic images --dead-letter-topic prompts-dlq",
            "  ./ldmforge stream ... --available-now        (process the backlog, then exit)",
            "  ./ldmforge stream ... --kafka-option security.protocol=SASL_SSL --kafka-option sasl.mechanism=PLAIN",
            "",
            "Writes <output>/images/<shard>/<request_id>_<index>.png, and metadata/ and dead-letter/ (Parquet)",
            "partitioned by query_id and batch_id. SIGTERM finishes the current micro-batch, then stops."})
public final class StreamCommand implements Callable<Integer> {
    @Option(names = "--bootstrap-servers", required = true, paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Kafka brokers")
    String bootstrapServers;

    @Option(names = "--topic", required = true, description = "topic to read prompts from")
    String topic;

    @Option(names = "--output", required = true, paramLabel = "LOCATION",
            description = "local folder or s3://bucket/prefix")
    String output;

    @Option(names = "--checkpoint", required = true, paramLabel = "LOCATION",
            description = "Spark checkpoint (offsets, batch ids): restarts continue from it; keep one per stream")
    String checkpoint;

    @Option(names = "--results-topic", description = "topic for one JSON event per image (default: none)")
    String resultsTopic;

    @Option(names = "--dead-letter-topic", description = "topic for rejected messages' bytes (default: none)")
    String deadLetterTopic;

    @Option(names = "--commit-topic", defaultValue = "ldmforge-stream-commits",
            description = "compacted topic recording each query's last batch sent to Kafka (default: ${DEFAULT-VALUE})")
    String commitTopic;

    @Option(names = "--kafka-option", paramLabel = "KEY=VALUE",
            description = "Kafka client setting for the source, producers and admin, e.g. SASL/SSL (repeatable)")
    List<String> kafkaOptions = new ArrayList<>();

    @Mixin
    JobSettings job;

    @Option(names = "--available-now", description = "process the messages present at start, then exit")
    boolean availableNow;

    @Option(names = "--trigger-interval", defaultValue = "10 seconds", paramLabel = "DURATION",
            description = "micro-batch interval without --available-now (default: ${DEFAULT-VALUE})")
    String triggerInterval;

    @Option(names = "--format", defaultValue = "json", description = "json or avro (binary PromptRequest datum) "
            + "(default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--starting-offsets", defaultValue = "earliest",
            description = "earliest or latest: where a new checkpoint starts (default: ${DEFAULT-VALUE})")
    String startingOffsets;

    @Option(names = "--max-offsets-per-trigger", defaultValue = "1000", paramLabel = "N",
            description = "messages per micro-batch at most (default: ${DEFAULT-VALUE})")
    long maxOffsetsPerTrigger;

    @Option(names = "--max-message-bytes", defaultValue = "65536", paramLabel = "N",
            description = "larger messages are dead letters (MESSAGE_TOO_LARGE) (default: ${DEFAULT-VALUE})")
    int maxMessageBytes;

    @Option(names = "--max-prompt-chars", defaultValue = "" + PromptValidator.MAX_PROMPT_CHARS, paramLabel = "N",
            description = "longer prompts are dead letters (PROMPT_TOO_LONG) (default: ${DEFAULT-VALUE})")
    int maxPromptChars;

    @Option(names = "--partitions", paramLabel = "N",
            description = "generation tasks per micro-batch (default: Spark's default parallelism)")
    Integer partitions;

    @Option(names = "--fail-after", hidden = true, paramLabel = "files|events",
            description = "fault injection for tests: the first batch fails after writing its files or events")
    String failAfter;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws TimeoutException {
        Map<String, String> confs = job.confs();
        JobOptions options = job.jobOptions("kafka:" + topic, output, confs, false);
        StreamOptions stream = streamOptions();
        options.s3().sparkHadoopConf().forEach(confs::putIfAbsent);
        // Inside an application that already has a session (tests, notebooks) use it and leave it running.
        boolean reuse = SparkSession.getActiveSession().isDefined();
        SparkSession spark = reuse ? SparkSessions.reuse(confs)
                : SparkSessions.create("ldmforge stream", job.master(), confs);
        try {
            int parts = partitions != null ? partitions : spark.sparkContext().defaultParallelism();
            SparkSessions.sizePlanningShuffles(spark, confs);
            new StreamJob(spark, options, withPartitions(stream, parts), System.out).run();
            System.out.println("stream: done");
            return 0;
        } catch (StreamingQueryException e) {
            System.err.println("stream: failed: " + e.cause().getMessage()
                    + "\nstream: restart with the same --checkpoint to continue; the failed batch is replayed");
            return 1;
        } finally {
            if (!reuse) {
                spark.stop();
            }
        }
    }

    private StreamOptions streamOptions() {
        Map<String, String> kafka = new LinkedHashMap<>();
        try {
            for (String kv : kafkaOptions) {
                Map.Entry<String, String> e = SparkSessions.parseConf(kv);
                kafka.put(e.getKey(), e.getValue());
            }
            if (maxOffsetsPerTrigger < 1 || maxMessageBytes < 1 || maxPromptChars < 1) {
                throw new IllegalArgumentException("--max-offsets-per-trigger, --max-message-bytes and "
                        + "--max-prompt-chars must be at least 1");
            }
            if (failAfter != null && !List.of("files", "events").contains(failAfter)) {
                throw new IllegalArgumentException("--fail-after must be files or events");
            }
            return new StreamOptions(bootstrapServers, topic, kafka, resultsTopic, deadLetterTopic, commitTopic,
                    checkpoint, MessageFormat.parse(format), startingOffsets, maxOffsetsPerTrigger, maxMessageBytes,
                    maxPromptChars, availableNow, triggerInterval, 0, failAfter);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage().replace("--conf", "--kafka-option"));
        }
    }

    private static StreamOptions withPartitions(StreamOptions o, int partitions) {
        return new StreamOptions(o.bootstrapServers(), o.topic(), o.kafkaOptions(), o.resultsTopic(),
                o.deadLetterTopic(), o.commitTopic(), o.checkpoint(), o.format(), o.startingOffsets(),
                o.maxOffsetsPerTrigger(), o.maxMessageBytes(), o.maxPromptChars(), o.availableNow(),
                o.triggerInterval(), partitions, o.failAfter());
    }
}
