package io.psip.webhook.application;

import io.psip.testsupport.TestKafka;
import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import io.psip.schemas.Topic;
import io.psip.schemas.kafka.CompactedTopicReader;
import io.psip.schemas.serde.AvroSerdeConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The table built from a compacted topic on the real broker, then rebuilt from offset 0: the same state. */
class ApplicationTableReplayTest {

    private static final Topic<ApplicationChanged> TOPIC =
            new Topic<>("test.applications-replay", ApplicationChanged.class, true);

    @Test
    void replayingTheTopicFromTheStartGivesTheSameTable() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC.name(), 3, (short) 1)
                    .configs(Map.of("cleanup.policy", "compact")))).all().get();
        }
        send("app-a", ApplicationTableTest.changed("app-a", 1, ChangeType.CREATED, "http://a1.example/answer"));
        send("app-a", ApplicationTableTest.changed("app-a", 3, ChangeType.UPDATED, "http://a3.example/answer"));
        send("app-a", ApplicationTableTest.changed("app-a", 2, ChangeType.UPDATED, "http://a2.example/answer"));
        send("app-b", ApplicationTableTest.changed("app-b", 1, ChangeType.CREATED, "http://b.example/answer"));
        send("app-b", ApplicationTableTest.changed("app-b", 2, ChangeType.DELETED, "http://b.example/answer"));
        send("app-c", ApplicationTableTest.changed("app-c", 1, ChangeType.CREATED, "http://c.example/answer"));
        send("app-c", null);

        ApplicationTable first = load();
        ApplicationTable replayed = load();

        for (ApplicationTable table : List.of(first, replayed)) {
            assertThat(table.find("app-a").flatMap(Application::answerUrl).map(url -> url.address().getHost()))
                    .contains("a3.example");
            assertThat(table.find("app-b")).isEmpty();
            assertThat(table.find("app-c")).isEmpty();
            assertThat(table.size()).isEqualTo(1);
        }
        assertThat(replayed.find("app-a")).isEqualTo(first.find("app-a"));
    }

    private static ApplicationTable load() {
        ApplicationTable table = new ApplicationTable();
        try (CompactedTopicReader<ApplicationChanged> reader = new CompactedTopicReader<>(TOPIC, Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, TestKafka.registryUrl()), table::apply)) {
            reader.start();
            await().until(reader::caughtUp);
        }
        return table;
    }

    private static void send(String key, ApplicationChanged value) {
        TestKafka.send(TOPIC.name(), key, value);
    }
}
