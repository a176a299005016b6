package io.psip.provisioning.outbox;

import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import io.psip.events.DomainChanged;
import io.psip.provisioning.Fixtures;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.TestPlatform;
import io.psip.provisioning.TopicProbe;
import io.psip.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 3 item 7: with the broker stopped, changes are still accepted; when it is back every event arrives,
 * in order per key, with consecutive versions, a DELETED followed by its tombstone.
 */
class OutboxBrokerFailureTest extends IntegrationTest {

    @Test
    void changesMadeWhileTheBrokerIsDownArriveInOrderWhenItReturns() {
        Http api = admin();
        String app = createApplication(api);
        String first = createDomain(api, app);
        awaitOutboxDrained();

        TestPlatform.stopBroker();
        String second = Fixtures.uniqueDomain("down");
        try {
            assertThat(api.put("/v2/applications/" + app, Fixtures.application("while-down")).status()).isEqualTo(200);
            for (int i = 1; i <= 3; i++) {
                assertThat(api.put("/v1/psip/" + first, Fixtures.domain(first, app, "203.0.113." + i)).status()).isEqualTo(201);
            }
            assertThat(api.post("/v1/psip", Fixtures.domain(second, app, "203.0.113.50")).status()).isEqualTo(201);
            assertThat(api.post("/v1/psip/" + second + "/users", "{\"key\": \"pbx\", \"secret\": \"pbx-secret-1\"}").status())
                    .isEqualTo(201);
            assertThat(api.put("/v1/psip/" + second, Fixtures.domain(second, app, "203.0.113.51")).status()).isEqualTo(201);
            assertThat(api.delete("/v1/psip/" + first).status()).isEqualTo(200);
            // 1 application + 3 updates + 3 for the second domain + DELETED and tombstone
            assertThat(relay.pending()).isGreaterThanOrEqualTo(9);
        } finally {
            TestPlatform.startBroker();
        }
        awaitOutboxDrained();

        try (TopicProbe domains = new TopicProbe(Topics.DOMAINS.name());
             TopicProbe apps = new TopicProbe(Topics.APPLICATIONS.name())) {
            List<ConsumerRecord<String, DomainChanged>> firstEvents = await().atMost(Duration.ofSeconds(60))
                    .until(() -> domains.<DomainChanged>poll(first), l -> l.size() >= 6);
            assertThat(firstEvents).hasSize(6);
            assertThat(firstEvents.subList(0, 5)).extracting(r -> r.value().getVersion()).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(firstEvents.get(3).value().getAcl()).containsExactly("203.0.113.3/32");
            assertThat(firstEvents.get(4).value().getChangeType()).isEqualTo(ChangeType.DELETED);
            assertThat(firstEvents.get(5).value()).isNull();

            List<ConsumerRecord<String, DomainChanged>> secondEvents = await().atMost(Duration.ofSeconds(60))
                    .until(() -> domains.<DomainChanged>poll(second), l -> l.size() >= 3);
            assertThat(secondEvents).extracting(r -> r.value().getVersion()).containsExactly(1L, 2L, 3L);
            assertThat(secondEvents.get(2).value().getDigestUsers()).extracting(u -> u.getUsername()).containsExactly("pbx");
            assertThat(secondEvents.get(2).value().getAcl()).containsExactly("203.0.113.51/32");

            List<ConsumerRecord<String, ApplicationChanged>> appEvents = await().atMost(Duration.ofSeconds(60))
                    .until(() -> apps.<ApplicationChanged>poll(app), l -> l.size() >= 2);
            assertThat(appEvents).extracting(r -> r.value().getVersion()).containsExactly(1L, 2L);
            assertThat(appEvents.get(1).value().getName()).isEqualTo("while-down");
        }
    }
}
