package io.psip.webhook.messaging;

import io.psip.schemas.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates {@code psip.webhook-deliveries} if it is missing: as many partitions as call events (a call's entry
 * must land in the partition number its events have), compacted (only a call's latest entry counts) and deleted
 * after {@code retention} (so entries of calls that never finished do not stay forever). And
 * {@code psip.webhook-history}, every post ever queued, partitioned the same way and deleted after
 * {@code retention}, never compacted (a call's posts share its key).
 */
final class DeliveryLogTopic {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private DeliveryLogTopic() {
    }

    static void create(String bootstrapServers, Duration retention) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            var callEvents = admin.describeTopics(List.of(Topics.CALL_EVENTS.name())).allTopicNames()
                    .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(Topics.CALL_EVENTS.name()).partitions();
            int partitions = callEvents.size();
            short replicas = (short) callEvents.get(0).replicas().size();
            NewTopic log = new NewTopic(Topics.WEBHOOK_DELIVERIES, partitions, replicas).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG,
                    TopicConfig.CLEANUP_POLICY_COMPACT + "," + TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()),
                    // an entry changes a few times in seconds: roll and clean hourly, tombstones gone after an hour
                    TopicConfig.SEGMENT_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()),
                    TopicConfig.DELETE_RETENTION_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis())));
            NewTopic history = new NewTopic(Topics.WEBHOOK_HISTORY, partitions, replicas).configs(Map.of(
                    TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                    TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis())));
            for (var created : admin.createTopics(List.of(log, history)).values().entrySet()) {
                try {
                    created.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create " + created.getKey() + ": " + e.getCause(),
                                e.getCause());
                    }
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot describe " + Topics.CALL_EVENTS.name() + ": " + e.getCause(),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the delivery topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("broker did not create the delivery topics in time", e);
        }
    }
}
