package io.psip.registry;

import io.psip.schemas.registry.SchemaRegistryClient;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class DevSchemaRegistryRestartTest {

    private static final String TOPIC = "_schemas_restart_test";

    @Test
    void aRestartedRegistryRebuildsItsStateFromTheTopic() {
        String bootstrap = TestKafka.bootstrapServers();
        int id1;
        int id2;
        try (DevSchemaRegistry first = DevSchemaRegistry.start(bootstrap, "127.0.0.1", 0, TOPIC)) {
            await().atMost(Duration.ofSeconds(30)).until(first::ready);
            SchemaRegistryClient client = new SchemaRegistryClient(first.url());
            id1 = client.register("restart-value", DevSchemaRegistryTest.V1);
            id2 = client.register("restart-value", DevSchemaRegistryTest.V2);
            client.setCompatibility("FULL_TRANSITIVE");
            client.setCompatibility("restart-value", "BACKWARD");
        }

        try (DevSchemaRegistry second = DevSchemaRegistry.start(bootstrap, "127.0.0.1", 0, TOPIC)) {
            await().atMost(Duration.ofSeconds(30)).until(second::ready);
            SchemaRegistryClient client = new SchemaRegistryClient(second.url());
            assertThat(client.getById(id1)).isEqualTo(DevSchemaRegistryTest.V1);
            assertThat(client.getById(id2)).isEqualTo(DevSchemaRegistryTest.V2);
            assertThat(client.versions("restart-value")).containsExactly(1, 2);
            assertThat(client.register("restart-value", DevSchemaRegistryTest.V1)).isEqualTo(id1);
            assertThat(client.getCompatibility()).isEqualTo("FULL_TRANSITIVE");
            assertThat(client.getCompatibility("restart-value")).isEqualTo("BACKWARD");
            // new ids continue after the rebuilt ones
            int id3 = client.register("restart-other-value", DevSchemaRegistryTest.BREAKING);
            assertThat(id3).isGreaterThan(Math.max(id1, id2));
        }
    }
}
