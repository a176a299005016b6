package io.psip.provisioning.outbox;

import io.psip.events.DomainChanged;
import io.psip.provisioning.Fixtures;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.schemas.Topics;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.serde.AvroDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10 item 3: an unreachable registry is a transient failure, not poison: changes are accepted, their rows
 * stay pending and none is set aside; once the registry answers they are published, in order. (The registry of an
 * {@link IsolatedPlatform} starts late, so the shared one stays up for every other test.)
 */
class OutboxRegistryDownTest {

    @Test
    void whileTheRegistryIsUnreachableRowsWaitAndNoneIsSetAside() {
        try (IsolatedPlatform platform = new IsolatedPlatform();
             ConfigurableApplicationContext service = platform.startService()) {
            Http admin = new Http(((WebServerApplicationContext) service).getWebServer().getPort(),
                    IntegrationTest.ADMIN_KEY, IntegrationTest.ADMIN_SECRET);
            Http.Response app = admin.post("/v2/applications", Fixtures.application("registry-down"));
            assertThat(app.status()).isEqualTo(201);
            String appId = app.json().get("id").asString();
            String domain = Fixtures.uniqueDomain("regdown");
            assertThat(admin.post("/v1/psip", Fixtures.domain(domain, appId, "192.0.2.1")).status()).isEqualTo(201);
            assertThat(admin.put("/v1/psip/" + domain, Fixtures.domain(domain, appId, "192.0.2.2")).status()).isEqualTo(201);

            OutboxRelay relay = service.getBean(OutboxRelay.class);
            // the bootstrap account, the application and two domain rows, retried over several relay rounds
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> relay.pending() >= 4 && relay.setAside() == 0);

            platform.startRegistry();
            await().atMost(Duration.ofSeconds(60)).until(() -> relay.pending() == 0);
            assertThat(relay.setAside()).isZero();
            try (AvroDeserializer<DomainChanged> values = new AvroDeserializer<>(
                    new SchemaRegistryClient(platform.registryUrl()), DomainChanged.class)) {
                List<DomainChanged> events = platform.records(Topics.DOMAINS.name()).stream()
                        .filter(r -> r.key().equals(domain))
                        .map(r -> values.deserialize(Topics.DOMAINS.name(), r.value())).toList();
                assertThat(events).extracting(DomainChanged::getVersion).containsExactly(1L, 2L);
                assertThat(events.get(1).getAcl()).containsExactly("192.0.2.2/32");
            }
        }
    }
}
