package io.psip.provisioning.account;

import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import io.psip.events.DomainChanged;
import io.psip.events.NumberChanged;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.TopicProbe;
import io.psip.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 3 item 8: the admin repair re-publishes every aggregate as SNAPSHOT without changing versions. Issue 10
 * item 2: and a tombstone for every aggregate that was deleted, so a consumer that missed the delete learns it.
 */
class RepairTest extends IntegrationTest {

    @Test
    void repairRepublishesCurrentStateWithUnchangedVersions() {
        Http tenant = newTenant();
        String app = createApplication(tenant);
        String domain = createDomain(tenant, app);
        assertThat(tenant.post("/v1/psip/" + domain + "/users", "{\"key\": \"desk\", \"secret\": \"desk-secret\"}").status())
                .isEqualTo(201);
        String number = "3120" + (1_000_000 + System.nanoTime() % 8_000_000);
        assertThat(tenant.post("/v1/numbers", "{\"number\": \"" + number + "\", \"application_id\": \"" + app + "\"}").status())
                .isEqualTo(201);
        awaitOutboxDrained();

        Http.Response repaired = admin().post("/v1/admin/repair", null);
        assertThat(repaired.status()).isEqualTo(202);
        assertThat(repaired.json().get("domains").asInt()).isPositive();
        assertThat(repaired.json().get("applications").asInt()).isPositive();
        assertThat(repaired.json().get("numbers").asInt()).isPositive();
        assertThat(tenant.get("/v1/psip/" + domain).etag()).isEqualTo("\"2\"");
        assertThat(tenant.get("/v2/applications/" + app).etag()).isEqualTo("\"1\"");

        try (TopicProbe domains = new TopicProbe(Topics.DOMAINS.name());
             TopicProbe apps = new TopicProbe(Topics.APPLICATIONS.name());
             TopicProbe numbers = new TopicProbe(Topics.NUMBERS.name())) {
            List<ConsumerRecord<String, DomainChanged>> d = await().atMost(Duration.ofSeconds(60))
                    .until(() -> domains.<DomainChanged>poll(domain), l -> l.size() >= 3);
            assertThat(d.get(2).value().getChangeType()).isEqualTo(ChangeType.SNAPSHOT);
            assertThat(d.get(2).value().getVersion()).isEqualTo(2);
            assertThat(d.get(2).value().getDigestUsers()).hasSize(1);
            List<ConsumerRecord<String, ApplicationChanged>> a = await().atMost(Duration.ofSeconds(60))
                    .until(() -> apps.<ApplicationChanged>poll(app), l -> l.size() >= 2);
            assertThat(a.get(1).value().getChangeType()).isEqualTo(ChangeType.SNAPSHOT);
            assertThat(a.get(1).value().getPublicKey()).startsWith("-----BEGIN PUBLIC KEY-----")
                    .isEqualTo(a.get(0).value().getPublicKey());
            assertThat(a.get(1).value().getVersion()).isEqualTo(1);
            List<ConsumerRecord<String, NumberChanged>> n = await().atMost(Duration.ofSeconds(60))
                    .until(() -> numbers.<NumberChanged>poll(number), l -> l.size() >= 2);
            assertThat(n.get(1).value().getChangeType()).isEqualTo(ChangeType.SNAPSHOT);
            assertThat(n.get(1).value().getVersion()).isEqualTo(1);
        }
    }

    @Test
    void repairRepublishesATombstoneForADeletedDomain() {
        Http tenant = newTenant();
        String app = createApplication(tenant);
        String deleted = createDomain(tenant, app);
        String kept = createDomain(tenant, app);
        assertThat(tenant.delete("/v1/psip/" + deleted).status()).isEqualTo(200);
        awaitOutboxDrained();

        Http.Response repaired = admin().post("/v1/admin/repair", null);
        assertThat(repaired.status()).isEqualTo(202);
        assertThat(repaired.json().get("tombstones").asInt()).isPositive();
        awaitOutboxDrained();
        assertThat(jdbc.queryForObject("select count(*) from outbox where message_key = ? and payload is null",
                Long.class, deleted)).isEqualTo(2); // the delete's and the repair's
        assertThat(jdbc.queryForObject("select count(*) from outbox where message_key = ? and payload is null",
                Long.class, kept)).isZero();

        try (TopicProbe domains = new TopicProbe(Topics.DOMAINS.name())) {
            // CREATED, DELETED, the delete's tombstone, then the repair's
            List<ConsumerRecord<String, DomainChanged>> d = await().atMost(Duration.ofSeconds(60))
                    .until(() -> domains.<DomainChanged>poll(deleted), l -> l.size() >= 4);
            assertThat(d).hasSize(4);
            assertThat(d.get(3).value()).isNull();
            List<ConsumerRecord<String, DomainChanged>> k = await().atMost(Duration.ofSeconds(60))
                    .until(() -> domains.<DomainChanged>poll(kept), l -> l.size() >= 2);
            assertThat(k.get(k.size() - 1).value().getChangeType()).isEqualTo(ChangeType.SNAPSHOT);
        }
    }
}
