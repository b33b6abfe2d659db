package dev.ldmforge.jobs.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ldmforge.jobs.kafka.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.spark.sql.Row;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Result events and dead letters to Kafka, all of a micro-batch in one transaction together with a marker record
 * (key: the transactional id, value: the batch id) on the compacted commit topic. The transactional id is stable per
 * query (Spark's query id, kept in the checkpoint), so opening fences any earlier incarnation of the query and aborts
 * its open transaction; the marker then tells which batch was last committed. A batch at or below it was published
 * before a crash that came ahead of Spark's checkpoint commit: it is not sent again.
 */
final class ResultPublisher implements AutoCloseable {
    static final String BATCH_HEADER = "ldmforge.batch_id";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bounds the wait for other producers' open transactions on the commit topic (their timeout is 60 s). */
    private static final Duration MARKER_READ_TIMEOUT = Duration.ofSeconds(180);

    private final StreamOptions options;
    private final String transactionalId;
    private final KafkaProducer<byte[], byte[]> producer;
    private long lastCommitted;

    private ResultPublisher(StreamOptions options, String transactionalId, KafkaProducer<byte[], byte[]> producer) {
        this.options = options;
        this.transactionalId = transactionalId;
        this.producer = producer;
    }

    static ResultPublisher open(StreamOptions options, String queryId) {
        Map<String, Object> client = options.clientConfig();
        Topics.createIfMissing(client, options.commitTopic(), 1, Map.of("cleanup.policy", "compact"));
        for (String topic : new String[] {options.resultsTopic(), options.deadLetterTopic()}) {
            if (topic != null) {
                Topics.createIfMissing(client, topic, 1, Map.of());
            }
        }
        String transactionalId = "ldmforge-stream-" + queryId;
        Map<String, Object> config = new HashMap<>(client);
        config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(),
                new ByteArraySerializer());
        ResultPublisher publisher = new ResultPublisher(options, transactionalId, producer);
        try {
            producer.initTransactions();
            publisher.lastCommitted = publisher.readMarker();
        } catch (RuntimeException e) {
            producer.close();
            throw e;
        }
        return publisher;
    }

    /** True when batch {@code batchId}'s records are already committed to Kafka. */
    boolean committed(long batchId) {
        return batchId <= lastCommitted;
    }

    /**
     * Sends one event per image ({@code request_id, image_index, image_uri, sha256, status}) and one record per
     * dead letter ({@code request_id, error_code, error_message, original_bytes, topic, partition, offset}), then
     * commits. On failure the transaction is aborted and the exception thrown: the batch fails and is replayed.
     */
    void publish(long batchId, List<Row> images, List<Row> deadLetters) {
        byte[] batch = Long.toString(batchId).getBytes(StandardCharsets.UTF_8);
        producer.beginTransaction();
        try {
            if (options.resultsTopic() != null) {
                for (Row image : images) {
                    ObjectNode event = JSON.createObjectNode()
                            .put("request_id", image.getString(0))
                            .put("image_index", image.getInt(1))
                            .put("image_uri", image.getString(2))
                            .put("sha256", image.getString(3))
                            .put("status", image.getString(4));
                    Headers headers = new RecordHeaders().add(BATCH_HEADER, batch);
                    producer.send(new ProducerRecord<>(options.resultsTopic(), null, utf8(image.getString(0)),
                            JSON.writeValueAsBytes(event), headers));
                }
            }
            if (options.deadLetterTopic() != null) {
                for (Row dead : deadLetters) {
                    Headers headers = new RecordHeaders()
                            .add("ldmforge.error_code", utf8(dead.getString(1)))
                            .add("ldmforge.error_message", utf8(dead.getString(2)))
                            .add("ldmforge.source_topic", utf8(dead.getString(4)))
                            .add("ldmforge.source_partition", utf8(String.valueOf(dead.getInt(5))))
                            .add("ldmforge.source_offset", utf8(String.valueOf(dead.getLong(6))))
                            .add(BATCH_HEADER, batch);
                    byte[] original = dead.isNullAt(3) ? new byte[0] : (byte[]) dead.get(3);
                    producer.send(new ProducerRecord<>(options.deadLetterTopic(), null, utf8(dead.getString(0)),
                            original, headers));
                }
            }
            producer.send(new ProducerRecord<>(options.commitTopic(), utf8(transactionalId), batch));
            producer.commitTransaction();
            lastCommitted = batchId;
        } catch (JsonProcessingException e) {
            abortQuietly();
            throw new IllegalStateException(e);
        } catch (RuntimeException e) {
            abortQuietly();
            throw e;
        }
    }

    private void abortQuietly() {
        try {
            producer.abortTransaction();
        } catch (RuntimeException ignored) {
            // fenced or broken: the next incarnation's initTransactions aborts the transaction
        }
    }

    /**
     * The batch id in this query's last committed marker, or -1. Reads the commit topic to its high watermark with
     * read_committed: a transaction still open there (another query's) is waited out, never skipped.
     */
    private long readMarker() {
        Map<String, Object> config = new HashMap<>(options.clientConfig());
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        byte[] key = utf8(transactionalId);
        long last = -1;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(options.commitTopic()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = highWatermarks(partitions);
            long deadline = System.nanoTime() + MARKER_READ_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("commit topic " + options.commitTopic() + " not readable to "
                            + end + " within " + MARKER_READ_TIMEOUT.toSeconds() + " s (a transaction left open?)");
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (Arrays.equals(key, r.key()) && r.value() != null) {
                        last = Long.parseLong(new String(r.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return last;
    }

    private Map<TopicPartition, Long> highWatermarks(List<TopicPartition> partitions) {
        Map<String, Object> config = new HashMap<>(options.clientConfig());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            return consumer.endOffsets(partitions);
        }
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(30));
    }
}
