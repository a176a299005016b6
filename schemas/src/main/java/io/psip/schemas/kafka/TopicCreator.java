package io.psip.schemas.kafka;

import io.psip.schemas.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates the platform's topics if they are missing, each with its policy: the configuration topics and each
 * region's active calls are compacted, call events are kept 7 days, call commands 6 hours, webhook dead letters
 * 14 days, table dead letters 30 days. Topics that already exist are left as they are.
 */
public final class TopicCreator {

    private static final Logger log = LoggerFactory.getLogger(TopicCreator.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final String bootstrapServers;
    private final int partitions;
    private final short replicationFactor;

    public TopicCreator(String bootstrapServers) {
        this(bootstrapServers, 3, (short) 1);
    }

    public TopicCreator(String bootstrapServers, int partitions, short replicationFactor) {
        this.bootstrapServers = bootstrapServers;
        this.partitions = partitions;
        this.replicationFactor = replicationFactor;
    }

    /** Every topic of the platform, including the call-commands, active-calls and registrations topics of each region. */
    public static List<String> allTopicNames() {
        List<String> names = new ArrayList<>();
        Topics.configurationTopics().forEach(t -> names.add(t.name()));
        names.add(Topics.CALL_EVENTS.name());
        Topics.REGIONS.stream().sorted().forEach(r -> names.add(Topics.callCommands(r).name()));
        Topics.REGIONS.stream().sorted().forEach(r -> names.add(Topics.activeCalls(r).name()));
        Topics.REGIONS.stream().sorted().forEach(r -> names.add(Topics.registrations(r).name()));
        names.add(Topics.WEBHOOK_DLQ);
        names.add(Topics.TABLE_DLQ);
        return names;
    }

    public void createAll() {
        create(allTopicNames());
    }

    public void create(String... topicNames) {
        create(Arrays.asList(topicNames));
    }

    /** Creates those of the named platform topics that are missing; blocks until the broker has answered. */
    public void create(Collection<String> topicNames) {
        List<NewTopic> topics = topicNames.stream().map(this::definition).toList();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            var results = admin.createTopics(topics).values();
            for (var entry : results.entrySet()) {
                try {
                    entry.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    log.info("created topic {}", entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("cannot create topic " + entry.getKey() + ": " + e.getCause(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("broker " + bootstrapServers + " did not create topics within " + TIMEOUT, e);
        }
    }

    /** The topic with its policy; fails for a name that is not a platform topic. */
    public NewTopic definition(String name) {
        return new NewTopic(name, partitions, replicationFactor).configs(policy(name));
    }

    static Map<String, String> policy(String name) {
        if (Topics.configurationTopics().stream().anyMatch(t -> t.name().equals(name))) {
            return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        }
        if (name.startsWith("psip.active-calls.") || name.startsWith("psip.registrations.")) {
            Topics.forName(name); // rejects unknown regions
            // Every answered call (every re-REGISTER) leaves a record, and a restart reads the whole topic: roll
            // segments hourly so compaction can clean them (the active segment never is, by default for 7 days),
            // and drop tombstones after an hour (a restart reads the topic in seconds).
            return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
                    TopicConfig.SEGMENT_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()),
                    TopicConfig.DELETE_RETENTION_MS_CONFIG, Long.toString(Duration.ofHours(1).toMillis()));
        }
        if (name.equals(Topics.CALL_EVENTS.name())) {
            return retention(Duration.ofDays(7));
        }
        if (name.startsWith("psip.call-commands.")) {
            Topics.forName(name); // rejects unknown regions
            return retention(Duration.ofHours(6));
        }
        if (name.equals(Topics.WEBHOOK_DLQ)) {
            return retention(Duration.ofDays(14));
        }
        if (name.equals(Topics.TABLE_DLQ)) {
            // Each one is a table change some reader missed; the operator must get to see it.
            return retention(Duration.ofDays(30));
        }
        throw new IllegalArgumentException("not a platform topic: " + name);
    }

    private static Map<String, String> retention(Duration retention) {
        return Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(retention.toMillis()));
    }
}
