package io.psip.testsupport;

import io.psip.events.ChangeType;
import io.psip.events.ApplicationChanged;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared broker, registry and helpers work together: what is sent is read back, Avro or raw. */
class TestKafkaTest {

    @Test
    void sentRecordsAreReadBackByKey() {
        String topic = "support." + UUID.randomUUID();
        TestKafka.broker().addTopics(new NewTopic(topic, 2, (short) 1));
        ApplicationChanged app = ApplicationChanged.newBuilder().setEventId(UUID.randomUUID().toString())
                .setVersion(1).setOccurredAt(Instant.now()).setChangeType(ChangeType.CREATED)
                .setApplicationId("app-1").setAccountId("acc-1").setName("n").build();

        TestKafka.send(topic, "app-1", app);
        TestKafka.send(topic, "app-1", null);
        String raw = topic + ".raw";
        TestKafka.broker().addTopics(new NewTopic(raw, 1, (short) 1));
        TestKafka.sendRaw(raw, "other", new byte[] {1, 2});

        assertThat(TestKafka.records(topic, "app-1", TestKafka.avro(ApplicationChanged.class)))
                .extracting(r -> r.value()).containsExactly(app, null);
        assertThat(TestKafka.records(raw, "other", TestKafka.bytes())).singleElement()
                .satisfies(r -> assertThat(r.value()).containsExactly(1, 2));
    }

    @Test
    void sipPortsAreFreeForBothTransports() throws Exception {
        int port = FreePorts.sip();
        try (var tcp = new java.net.ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress());
             var udp = new java.net.DatagramSocket(port, java.net.InetAddress.getLoopbackAddress())) {
            assertThat(tcp.getLocalPort()).isEqualTo(udp.getLocalPort()).isEqualTo(port);
        }
    }
}
