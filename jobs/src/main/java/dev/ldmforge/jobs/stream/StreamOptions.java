package dev.ldmforge.jobs.stream;

import org.apache.kafka.clients.CommonClientConfigs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The driver's settings of a stream (the executors get {@link dev.ldmforge.jobs.generate.JobOptions} and
 * {@link ParseMessages}' fields).
 *
 * @param kafkaOptions     {@code --kafka-option} settings for the source, the producer and the admin client
 * @param resultsTopic     null: no result events
 * @param deadLetterTopic  null: dead letters go to Parquet only
 * @param commitTopic      compacted topic of the last batch each query committed to Kafka
 * @param triggerInterval  processing-time interval, e.g. {@code 10 seconds}; ignored with {@code availableNow}
 * @param failAfter        fault injection for tests: {@code files} or {@code events}, else null
 */
public record StreamOptions(
        String bootstrapServers,
        String topic,
        Map<String, String> kafkaOptions,
        String resultsTopic,
        String deadLetterTopic,
        String commitTopic,
        String checkpoint,
        MessageFormat format,
        String startingOffsets,
        long maxOffsetsPerTrigger,
        int maxMessageBytes,
        int maxPromptChars,
        boolean availableNow,
        String triggerInterval,
        int partitions,
        String failAfter) {

    /** Bootstrap servers plus the {@code --kafka-option} settings, for Kafka clients. */
    Map<String, Object> clientConfig() {
        Map<String, Object> config = new LinkedHashMap<>(kafkaOptions);
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return config;
    }

    boolean publishes() {
        return resultsTopic != null || deadLetterTopic != null;
    }
}
