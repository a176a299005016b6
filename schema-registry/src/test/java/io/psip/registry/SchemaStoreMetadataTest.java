package io.psip.registry;

import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The reader waits for a fresh topic's partition metadata instead of giving up on the first empty answer. */
class SchemaStoreMetadataTest {

    private static final PartitionInfo PARTITION = new PartitionInfo("_schemas", 0, Node.noNode(), new Node[0], new Node[0]);

    @Test
    void emptyAndTimedOutLookupsAreAskedAgainUntilThePartitionsAppear() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        List<PartitionInfo> found = SchemaStore.awaitPartitions(() -> switch (calls.incrementAndGet()) {
            case 1 -> List.of();
            case 2 -> throw new TimeoutException("no metadata yet");
            default -> List.of(PARTITION);
        }, Duration.ofSeconds(30), () -> true);

        assertThat(found).containsExactly(PARTITION);
        assertThat(calls).hasValue(3);
    }

    @Test
    void givesUpPastTheBound() {
        assertThatThrownBy(() -> SchemaStore.awaitPartitions(List::of, Duration.ofMillis(300), () -> true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no partition metadata");
    }

    @Test
    void stopsWaitingWhenClosed() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        List<PartitionInfo> found = SchemaStore.awaitPartitions(List::of, Duration.ofSeconds(30),
                () -> calls.incrementAndGet() < 3);

        assertThat(found).isEmpty();
    }

    @Test
    void aRegistryOnATopicItJustCreatedBecomesReady() {
        try (DevSchemaRegistry registry = DevSchemaRegistry.start(TestKafka.bootstrapServers(), "127.0.0.1", 0,
                "_schemas_fresh_" + System.nanoTime())) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(registry::ready);
            assertThat(registry.ready()).isTrue();
        }
    }
}
