package dev.ldmforge.jobs.kafka;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The single-node broker's transaction state log works: transactional producers commit and abort. */
class KafkaTransactionsTest {
    @Test
    void committedRecordsAreVisibleAndAbortedOnesAreNot() {
        KafkaBroker broker = KafkaTestBroker.get();
        Topics.createIfMissing(broker.bootstrapServers(), "transactions", 1);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "ldmforge-test-tx"),
                new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (String v : List.of("a", "b", "c")) {
                producer.send(new ProducerRecord<>("transactions", v));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>("transactions", "aborted"));
            producer.flush();
            producer.abortTransaction();
        }

        assertEquals(List.of("a", "b", "c"),
                KafkaTestBroker.readToEnd(broker.bootstrapServers(), "transactions", true).stream()
                        .map(c -> new String(c.value(), StandardCharsets.UTF_8)).toList());
    }
}
