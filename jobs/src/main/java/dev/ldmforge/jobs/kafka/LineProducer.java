package dev.ldmforge.jobs.kafka;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends each non-blank line of a stream (e.g. prompts as JSON Lines) to a topic as one message without a key, bytes
 * unchanged except the line terminator ({@code \n} or {@code \r\n}). Messages keep the file's order per partition
 * (idempotent producer); a failed send fails the whole call.
 */
public final class LineProducer {
    private LineProducer() {
    }

    /** Returns the number of messages sent (all acknowledged). */
    public static long send(String bootstrapServers, String topic, InputStream in) throws IOException {
        AtomicReference<Exception> failure = new AtomicReference<>();
        long sent = 0;
        try (Producer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0 && failure.get() == null; n = in.read(buffer)) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        line.write(buffer, start, i - start);
                        sent += sendLine(producer, topic, line, failure);
                        start = i + 1;
                    }
                }
                line.write(buffer, start, n - start);
            }
            sent += sendLine(producer, topic, line, failure);
            producer.flush();
        }
        if (failure.get() != null) {
            throw new KafkaException("sending to topic " + topic + " at " + bootstrapServers + " failed: "
                    + failure.get().getMessage(), failure.get());
        }
        return sent;
    }

    /** Sends the buffered line unless blank, then clears the buffer; returns 1 when sent. */
    private static int sendLine(Producer<byte[], byte[]> producer, String topic, ByteArrayOutputStream line,
                                AtomicReference<Exception> failure) {
        byte[] bytes = line.toByteArray();
        line.reset();
        int end = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        if (isBlank(bytes, end)) {
            return 0;
        }
        byte[] value = end == bytes.length ? bytes : Arrays.copyOf(bytes, end);
        producer.send(new ProducerRecord<>(topic, value), (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
        return 1;
    }

    private static boolean isBlank(byte[] bytes, int end) {
        for (int i = 0; i < end; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r') {
                return false;
            }
        }
        return true;
    }
}
