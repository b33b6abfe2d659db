package dev.ldmforge.jobs.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Topic administration the CLI and the tests need. */
public final class Topics {
    private static final int TIMEOUT_SECONDS = 30;

    private Topics() {
    }

    /**
     * Creates {@code topic} with {@code partitions} partitions (broker default replication) unless it exists.
     * Returns true when this call created it.
     */
    public static boolean createIfMissing(String bootstrapServers, String topic, int partitions) {
        return createIfMissing(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), topic,
                partitions, Map.of());
    }

    /**
     * Same, with the admin client's settings (bootstrap servers plus e.g. SASL/SSL) and the topic's own settings
     * (e.g. {@code cleanup.policy=compact}) given.
     */
    public static boolean createIfMissing(Map<String, Object> clientConfig, String topic, int partitions,
                                          Map<String, String> topicConfig) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, TIMEOUT_SECONDS * 1000);
        Object servers = config.get(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG);
        try (Admin admin = Admin.create(config)) {
            if (admin.listTopics().names().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).contains(topic)) {
                return false;
            }
            admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty())
                            .configs(topicConfig)))
                    .all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw new KafkaException("cannot create topic " + topic + " at " + servers + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new KafkaException("no answer from Kafka at " + servers + " within "
                    + TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KafkaException("interrupted while creating topic " + topic, e);
        }
    }
}
