package io.psip.schemas.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicCreatorTest {

    private static EmbeddedKafkaKraftBroker broker;

    @BeforeAll
    static void start() {
        broker = new EmbeddedKafkaKraftBroker(1, 1);
        broker.brokerProperty("auto.create.topics.enable", "false");
        broker.afterPropertiesSet();
    }

    @AfterAll
    static void stop() {
        broker.destroy();
    }

    @Test
    void createsEveryPlatformTopicWithItsPolicyAndToleratesExistingOnes() throws Exception {
        TopicCreator creator = new TopicCreator(broker.getBrokersAsString(), 2, (short) 1);
        creator.create("psip.domains");
        creator.createAll();
        creator.createAll();

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()))) {
            assertThat(admin.listTopics().names().get()).containsAll(TopicCreator.allTopicNames());
            assertThat(TopicCreator.allTopicNames()).contains("psip.domains", "psip.applications", "psip.numbers",
                    "psip.call-events", "psip.call-commands.us", "psip.call-commands.eu", "psip.call-commands.ap",
                    "psip.webhook-dlq", "psip.active-calls.us", "psip.active-calls.eu", "psip.active-calls.ap",
                    "psip.registrations.us", "psip.registrations.eu", "psip.registrations.ap");

            TopicDescription domains = admin.describeTopics(List.of("psip.domains")).allTopicNames().get().get("psip.domains");
            assertThat(domains.partitions()).hasSize(2);

            assertThat(config(admin, "psip.domains").get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(config(admin, "psip.numbers").get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(config(admin, "psip.applications").get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(config(admin, "psip.active-calls.eu").get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(config(admin, "psip.active-calls.eu").get("segment.ms").value())
                    .isEqualTo(Long.toString(Duration.ofHours(1).toMillis()));
            assertThat(config(admin, "psip.active-calls.eu").get("delete.retention.ms").value())
                    .isEqualTo(Long.toString(Duration.ofHours(1).toMillis()));
            assertThat(config(admin, "psip.registrations.ap").get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(config(admin, "psip.call-events").get("retention.ms").value())
                    .isEqualTo(Long.toString(Duration.ofDays(7).toMillis()));
            assertThat(config(admin, "psip.call-commands.eu").get("retention.ms").value())
                    .isEqualTo(Long.toString(Duration.ofHours(6).toMillis()));
            assertThat(config(admin, "psip.webhook-dlq").get("retention.ms").value())
                    .isEqualTo(Long.toString(Duration.ofDays(14).toMillis()));
            assertThat(config(admin, "psip.call-events").get("cleanup.policy").value()).isEqualTo("delete");
        }
    }

    @Test
    void refusesNamesThatAreNotPlatformTopics() {
        TopicCreator creator = new TopicCreator(broker.getBrokersAsString());
        assertThatThrownBy(() -> creator.create("psip.typo")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> creator.create("psip.call-commands.mars")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> creator.create("psip.active-calls.mars")).isInstanceOf(IllegalArgumentException.class);
        assertThat(creator.definition("psip.call-events").numPartitions()).isEqualTo(3);
    }

    private static Config config(Admin admin, String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(resource)).all().get().get(resource);
    }
}
