package io.psip.routing.table;

import io.psip.events.ChangeType;
import io.psip.events.DomainChanged;
import io.psip.registry.DevSchemaRegistry;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.testsupport.TestKafka;
import io.psip.testsupport.TestSecrets;
import io.psip.schemas.serde.AvroSerdeConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** A rebuild swaps in a table set only once it has caught up; one that cannot leaves the live set serving. */
class TableRebuildTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final String name = "rebuild-" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void holdersOfTheTablesSeeTheSwappedSetAndTheChangesMadeThroughIt() {
        RoutingTables live = new RoutingTables();
        live.applications().upsert("old", 1, application("old"));
        RoutingTables built = live.aside();
        built.applications().upsert("new", 1, application("new"));
        assertThat(live.application("new")).isEmpty();

        live.swapIn(built);
        assertThat(live.application("new")).isPresent();
        assertThat(live.application("old")).isEmpty();
        built.applications().upsert("later", 1, application("later"));
        assertThat(live.application("later")).isPresent();
    }

    @Test
    void aRebuildThatCannotCatchUpFailsAndTheLiveGenerationKeepsServing() throws Exception {
        new TopicCreator(TestKafka.bootstrapServers()).createAll();
        TestKafka.send(Topics.DOMAINS.name(), name, DomainChanged.newBuilder().setEventId(UUID.randomUUID().toString())
                .setVersion(1).setOccurredAt(Instant.now()).setChangeType(ChangeType.CREATED).setName(name)
                .setAccountId("acct").setApplicationId("app").setAcl(List.of("127.0.0.1")).setDigestAuth(false)
                .setDigestUsers(List.of()).build());
        DevSchemaRegistry registry = DevSchemaRegistry.start(TestKafka.bootstrapServers(), 0);
        int port = registry.port();
        await().atMost(WAIT).until(registry::ready);
        RoutingTables live = new RoutingTables();
        try (TableReaders readers = new TableReaders(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url()), "rebuild-test", live,
                tables -> new TableUpdates(tables, TestSecrets.key()), Clock.systemUTC(), Duration.ofSeconds(3))) {
            readers.start();
            await().atMost(WAIT).until(readers::ready);
            assertThat(live.domain(name)).isPresent();

            // The new readers have never resolved a schema id: with the registry gone they stay on their records.
            registry.close();
            assertThat(readers.rebuild().state()).isEqualTo(TableReaders.RebuildState.BUILDING);
            assertThatThrownBy(readers::rebuild).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("still running");
            await().atMost(WAIT).until(() -> readers.lastRebuild().state() == TableReaders.RebuildState.FAILED);
            assertThat(readers.lastRebuild().error()).contains("not caught up", "psip.domains stuck");
            assertThat(readers.generation()).isEqualTo(1);
            assertThat(readers.ready()).isTrue();
            assertThat(live.domain(name)).isPresent();

            DevSchemaRegistry back = DevSchemaRegistry.start(TestKafka.bootstrapServers(), "127.0.0.1", port,
                    "_schemas");
            try {
                readers.rebuild();
                await().atMost(WAIT).until(() -> readers.generation() == 2);
                assertThat(readers.lastRebuild().state()).isEqualTo(TableReaders.RebuildState.IDLE);
                assertThat(readers.lastRebuild().finishedAt()).isNotNull();
                assertThat(live.domain(name)).isPresent();
            } finally {
                back.close();
            }
        }
    }

    private static Application application(String id) {
        return new Application(id, 1, "acct", id);
    }
}
