package io.psip.provisioning.account;

import io.psip.events.AccountChanged;
import io.psip.events.ChangeType;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.TopicProbe;
import io.psip.schemas.Topics;
import io.psip.schemas.crypto.DigestUserSecrets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import static io.psip.provisioning.account.SipConnectHa1s.assertOpensTo;
import static io.psip.provisioning.account.SipConnectHa1s.expected;
import static io.psip.provisioning.account.SipConnectHa1s.opened;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 8 item 2: whenever an API secret is set, psip.accounts gets the account's SIP Connect HA1s (username the
 * API key, realm sip.<base-domain>), sealed under the platform key; the database holds them only sealed.
 */
class SipConnectCredentialsTest extends IntegrationTest {

    private static final String REALM = "sip.example.com";

    @Test
    void creationAndRotationPublishHa1sOfTheCurrentSecretOnly() {
        Http.Response created = admin().post("/v1/admin/accounts", "{}");
        String id = created.json().get("id").asString();
        String apiKey = created.json().get("api_key").asString();
        String secret = created.json().get("api_secret").asString();
        assertThat(created.json().get("status").asString()).isEqualTo("active");

        Http.Response rotation = admin().post("/v1/admin/accounts/" + id + "/secret", null);
        assertThat(rotation.status()).isEqualTo(200);
        String rotated = rotation.json().get("api_secret").asString();

        try (TopicProbe accounts = new TopicProbe(Topics.ACCOUNTS.name())) {
            List<ConsumerRecord<String, AccountChanged>> events = await().atMost(Duration.ofSeconds(60))
                    .until(() -> accounts.<AccountChanged>poll(id), l -> l.size() >= 2);
            AccountChanged creation = events.get(0).value();
            assertThat(creation.getChangeType()).isEqualTo(ChangeType.CREATED);
            assertThat(creation.getStatus()).isEqualTo("active");
            assertOpensTo(creation, apiKey, REALM, secret);

            AccountChanged rotationEvent = events.get(1).value();
            assertThat(rotationEvent.getChangeType()).isEqualTo(ChangeType.UPDATED);
            assertThat(rotationEvent.getVersion()).isEqualTo(creation.getVersion() + 1);
            assertOpensTo(rotationEvent, apiKey, REALM, rotated);
            assertThat(opened(rotationEvent)).isNotEqualTo(expected(apiKey, REALM, secret));
            assertThat(rotationEvent.toString()).doesNotContain(expected(apiKey, REALM, rotated).md5())
                    .doesNotContain(rotated);
        }
        assertThat(rotation.body()).doesNotContain(expected(apiKey, REALM, rotated).md5());
        assertThat(admin().get("/v1/admin/accounts").body()).doesNotContain(expected(apiKey, REALM, rotated).md5());
        assertNoClearHa1InTheRow(id, expected(apiKey, REALM, rotated), rotated);
    }

    @Test
    void theBootstrapAccountHasHa1sOfItsConfiguredSecret() {
        String id = admin().get("/v1/account").json().get("id").asString();
        try (TopicProbe accounts = new TopicProbe(Topics.ACCOUNTS.name())) {
            List<ConsumerRecord<String, AccountChanged>> events = await().atMost(Duration.ofSeconds(60))
                    .until(() -> accounts.<AccountChanged>poll(id), l -> !l.isEmpty());
            assertOpensTo(events.get(events.size() - 1).value(), ADMIN_KEY, REALM, ADMIN_SECRET);
        }
        assertNoClearHa1InTheRow(id, expected(ADMIN_KEY, REALM, ADMIN_SECRET), ADMIN_SECRET);
    }

    @Test
    void theRepairRepublishesTheSealedHa1s() {
        Http.Response created = admin().post("/v1/admin/accounts", "{}");
        String id = created.json().get("id").asString();
        awaitOutboxDrained();
        assertThat(admin().post("/v1/admin/repair", null).status()).isEqualTo(202);
        try (TopicProbe accounts = new TopicProbe(Topics.ACCOUNTS.name())) {
            AccountChanged snapshot = await().atMost(Duration.ofSeconds(60))
                    .until(() -> accounts.<AccountChanged>poll(id), l -> l.size() >= 2).get(1).value();
            assertThat(snapshot.getChangeType()).isEqualTo(ChangeType.SNAPSHOT);
            assertOpensTo(snapshot, created.json().get("api_key").asString(), REALM,
                    created.json().get("api_secret").asString());
        }
    }

    /**
     * The row as text (every column; bytea as hex) contains neither HA1 in hex, in either case, nor the hex of
     * its ASCII bytes, nor the secret.
     */
    private void assertNoClearHa1InTheRow(String id, DigestUserSecrets.Ha1s ha1s, String secret) {
        String row = jdbc.queryForObject("select a::text from accounts a where id = ?::uuid", String.class, id);
        assertThat(row).contains("\\x").doesNotContain(secret);
        for (String ha1 : List.of(ha1s.md5(), ha1s.sha256())) {
            assertThat(row).doesNotContainIgnoringCase(ha1)
                    .doesNotContainIgnoringCase(HexFormat.of().formatHex(ha1.getBytes(StandardCharsets.US_ASCII)));
        }
        assertThat(jdbc.queryForObject("select sealed_ha1_md5 is not null and sealed_ha1_sha256 is not null"
                + " from accounts where id = ?::uuid", Boolean.class, id)).isTrue();
    }
}
