package io.psip.provisioning.account;

import io.psip.events.AccountChanged;
import io.psip.events.ChangeType;
import io.psip.provisioning.Fixtures;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.TopicProbe;
import io.psip.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.psip.provisioning.account.SipConnectHa1s.assertOpensTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 8 item 2: admins suspend, reactivate and delete accounts; a suspended account is refused by the API and
 * published as suspended, a deleted one is published DELETED and then tombstoned, so routing refuses its SIP
 * Connect calls. The bootstrap account can be neither.
 */
class AccountStatusTest extends IntegrationTest {

    private record Tenant(String id, String apiKey, String secret, Http http) {
    }

    private Tenant tenant() {
        Http.Response created = admin().post("/v1/admin/accounts", "{}");
        assertThat(created.status()).isEqualTo(201);
        String apiKey = created.json().get("api_key").asString();
        String secret = created.json().get("api_secret").asString();
        return new Tenant(created.json().get("id").asString(), apiKey, secret, as(apiKey, secret));
    }

    private Http.Response patch(String id, String body) {
        return admin().send("PATCH", "/v1/admin/accounts/" + id, body, Map.of());
    }

    @Test
    void aSuspendedAccountIsRefusedAndPublishedSuspendedUntilReactivated() {
        Tenant tenant = tenant();
        assertThat(tenant.http().get("/v1/psip").status()).isEqualTo(200);

        Http.Response suspended = patch(tenant.id(), "{\"status\": \"suspended\"}");
        assertThat(suspended.status()).isEqualTo(200);
        assertThat(suspended.json().get("status").asString()).isEqualTo("suspended");
        assertThat(suspended.json().has("api_secret")).isFalse();

        for (String path : List.of("/v1/psip", "/v1/account", "/v2/applications", "/v1/numbers", "/v1/account/destinations")) {
            Http.Response refused = tenant.http().get(path);
            assertThat(refused.status()).as(path).isEqualTo(403);
            assertThat(refused.contentType()).startsWith("application/problem+json");
            assertThat(refused.json().get("type").asString()).isEqualTo("urn:psip:problem:account-suspended");
        }
        assertThat(tenant.http().post("/v2/applications", Fixtures.application("x")).status())
                .isEqualTo(403);
        assertThat(as(tenant.apiKey(), "not-the-secret").get("/v1/psip").status()).as("a wrong secret").isEqualTo(401);
        assertThat(admin().get("/v1/admin/accounts").body()).contains("\"status\":\"suspended\"");

        long rows = outboxRows(tenant.id());
        assertThat(patch(tenant.id(), "{\"status\": \"suspended\"}").status()).as("already suspended").isEqualTo(200);
        assertThat(outboxRows(tenant.id())).as("nothing changed, nothing published").isEqualTo(rows);

        Http.Response reactivated = patch(tenant.id(), "{\"status\": \"active\"}");
        assertThat(reactivated.status()).isEqualTo(200);
        assertThat(reactivated.json().get("status").asString()).isEqualTo("active");
        assertThat(tenant.http().get("/v1/psip").status()).isEqualTo(200);

        try (TopicProbe accounts = new TopicProbe(Topics.ACCOUNTS.name())) {
            List<ConsumerRecord<String, AccountChanged>> events = await().atMost(Duration.ofSeconds(60))
                    .until(() -> accounts.<AccountChanged>poll(tenant.id()), l -> l.size() >= 3);
            assertThat(events).extracting(r -> r.value().getChangeType())
                    .containsExactly(ChangeType.CREATED, ChangeType.UPDATED, ChangeType.UPDATED);
            assertThat(events).extracting(r -> r.value().getStatus()).containsExactly("active", "suspended", "active");
            assertThat(events).extracting(r -> r.value().getVersion()).containsExactly(1L, 2L, 3L);
            // suspension is the status alone: the credentials stay, so reactivation needs no new secret
            assertOpensTo(events.get(1).value(), tenant.apiKey(), "sip.example.com", tenant.secret());
        }
    }

    @Test
    void aDeletedAccountIsPublishedDeletedThenTombstonedAndCanNoLongerLogIn() {
        Tenant tenant = tenant();
        String app = createApplication(tenant.http());

        Http.Response inUse = admin().delete("/v1/admin/accounts/" + tenant.id());
        assertThat(inUse.status()).isEqualTo(409);
        assertThat(inUse.contentType()).startsWith("application/problem+json");
        assertThat(tenant.http().delete("/v2/applications/" + app).status()).isEqualTo(204);

        assertThat(admin().delete("/v1/admin/accounts/" + tenant.id()).status()).isEqualTo(204);
        assertThat(tenant.http().get("/v1/psip").status()).isEqualTo(401);
        assertThat(admin().get("/v1/admin/accounts").body()).doesNotContain(tenant.id());
        assertThat(admin().delete("/v1/admin/accounts/" + tenant.id()).status()).isEqualTo(404);
        assertThat(patch(tenant.id(), "{\"status\": \"active\"}").status()).isEqualTo(404);

        try (TopicProbe accounts = new TopicProbe(Topics.ACCOUNTS.name())) {
            List<ConsumerRecord<String, AccountChanged>> events = await().atMost(Duration.ofSeconds(60))
                    .until(() -> accounts.<AccountChanged>poll(tenant.id()), l -> l.size() >= 3);
            assertThat(events).hasSize(3);
            assertThat(events.get(1).value().getChangeType()).isEqualTo(ChangeType.DELETED);
            assertThat(events.get(1).value().getVersion()).isEqualTo(2);
            assertThat(events.get(2).value()).as("tombstone").isNull();
        }
    }

    @Test
    void theBootstrapAccountCanBeNeitherSuspendedNorDeleted() {
        String id = admin().get("/v1/account").json().get("id").asString();
        long rows = outboxRows(id);
        Http.Response suspend = patch(id, "{\"status\": \"suspended\"}");
        assertThat(suspend.status()).isEqualTo(409);
        assertThat(suspend.contentType()).startsWith("application/problem+json");
        assertThat(suspend.json().get("detail").asString()).contains("bootstrap");
        Http.Response delete = admin().delete("/v1/admin/accounts/" + id);
        assertThat(delete.status()).isEqualTo(409);
        assertThat(delete.json().get("detail").asString()).contains("bootstrap");
        assertThat(admin().get("/v1/account").status()).isEqualTo(200);
        assertThat(outboxRows(id)).isEqualTo(rows);
    }

    @Test
    void badInputIsA422AndOnlyAdminsMayChangeAnAccount() {
        Tenant tenant = tenant();
        long rows = outboxRows(tenant.id());
        for (String body : List.of("{\"status\": \"gone\"}", "{}", "{\"status\": null}", "{\"status\": \"Active\"}")) {
            Http.Response bad = patch(tenant.id(), body);
            assertThat(bad.status()).as(body).isEqualTo(422);
            assertThat(bad.contentType()).startsWith("application/problem+json");
            assertThat(bad.json().get("invalid_parameters").findValuesAsString("name")).containsExactly("status");
        }
        assertThat(patch(tenant.id(), "{\"status\": \"active\", \"admin\": true}").status()).isEqualTo(422);
        assertThat(patch(tenant.id(), "{\"status\": 1}").status()).isEqualTo(422);
        assertThat(patch("00000000-0000-0000-0000-000000000000", "{\"status\": \"suspended\"}").status()).isEqualTo(404);

        Http other = newTenant();
        assertThat(other.send("PATCH", "/v1/admin/accounts/" + tenant.id(), "{\"status\": \"suspended\"}",
                Map.of()).status()).isEqualTo(403);
        assertThat(other.delete("/v1/admin/accounts/" + tenant.id()).status()).isEqualTo(403);
        assertThat(anonymous().delete("/v1/admin/accounts/" + tenant.id()).status()).isEqualTo(401);
        assertThat(tenant.http().get("/v1/psip").status()).isEqualTo(200);
        assertThat(outboxRows(tenant.id())).isEqualTo(rows);
    }
}
