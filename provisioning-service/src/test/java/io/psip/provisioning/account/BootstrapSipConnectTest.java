package io.psip.provisioning.account;

import io.psip.events.AccountChanged;
import io.psip.events.ChangeType;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.ProvisioningApplication;
import io.psip.provisioning.TopicProbe;
import io.psip.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Duration;
import java.util.List;

import static io.psip.provisioning.account.SipConnectHa1s.assertOpensTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 8 item 2: the bootstrap account's SIP Connect HA1s, under the configured {@code psip.base-domain}: set at
 * creation; for an account that predates them (a row without HA1s) computed at the next start while its secret is
 * still the configured one, and left absent once it was rotated.
 */
class BootstrapSipConnectTest {

    private static final String CONFIGURED_SECRET = "configured-bootstrap-secret";
    private static final String BASE_DOMAIN = "connect.example.net";
    private static final String REALM = "sip." + BASE_DOMAIN;

    private static ConfigurableApplicationContext start(String apiKey) {
        return new SpringApplicationBuilder(ProvisioningApplication.class).run(IntegrationTest.standaloneArgs(
                "--psip.bootstrap-account.api-key=" + apiKey,
                "--psip.bootstrap-account.api-secret=" + CONFIGURED_SECRET,
                "--psip.base-domain=" + BASE_DOMAIN));
    }

    private static Http as(ConfigurableApplicationContext context, String apiKey, String secret) {
        return new Http(((WebServerApplicationContext) context).getWebServer().getPort(), apiKey, secret);
    }

    /** What the row of an account created before SIP Connect looks like. */
    private static void forgetHa1s(ConfigurableApplicationContext context, String apiKey) {
        assertThat(context.getBean(JdbcTemplate.class).update(
                "update accounts set sealed_ha1_md5 = null, sealed_ha1_sha256 = null where api_key = ?", apiKey))
                .isEqualTo(1);
    }

    private static boolean hasHa1s(ConfigurableApplicationContext context, String apiKey) {
        return context.getBean(JdbcTemplate.class).queryForObject(
                "select sealed_ha1_md5 is not null from accounts where api_key = ?", Boolean.class, apiKey);
    }

    private static List<ConsumerRecord<String, AccountChanged>> events(String id, int atLeast) {
        try (TopicProbe accounts = new TopicProbe(Topics.ACCOUNTS.name())) {
            return await().atMost(Duration.ofSeconds(60))
                    .until(() -> accounts.<AccountChanged>poll(id), l -> l.size() >= atLeast);
        }
    }

    @Test
    void anOldRowWhoseSecretIsStillTheConfiguredOneGetsHa1sAtTheNextStart() {
        String apiKey = "boot-sc-" + System.nanoTime();
        String id;
        try (ConfigurableApplicationContext first = start(apiKey)) {
            id = as(first, apiKey, CONFIGURED_SECRET).get("/v1/account").json().get("id").asString();
            AccountChanged created = events(id, 1).get(0).value();
            assertThat(created.getChangeType()).isEqualTo(ChangeType.CREATED);
            assertOpensTo(created, apiKey, REALM, CONFIGURED_SECRET);
            forgetHa1s(first, apiKey);
        }
        try (ConfigurableApplicationContext second = start(apiKey)) {
            assertThat(hasHa1s(second, apiKey)).isTrue();
            AccountChanged completed = events(id, 2).get(1).value();
            assertThat(completed.getChangeType()).isEqualTo(ChangeType.UPDATED);
            assertThat(completed.getVersion()).isEqualTo(2);
            assertOpensTo(completed, apiKey, REALM, CONFIGURED_SECRET);
            assertThat(as(second, apiKey, CONFIGURED_SECRET).get("/v1/account").status()).isEqualTo(200);
        }
    }

    @Test
    void anOldRowWhoseSecretWasRotatedStaysWithoutSipConnectUntilTheNextRotation() {
        String apiKey = "boot-sc-" + System.nanoTime();
        String id;
        String rotated;
        try (ConfigurableApplicationContext first = start(apiKey)) {
            Http bootstrap = as(first, apiKey, CONFIGURED_SECRET);
            id = bootstrap.get("/v1/account").json().get("id").asString();
            rotated = bootstrap.post("/v1/admin/accounts/" + id + "/secret", null).json().get("api_secret").asString();
            forgetHa1s(first, apiKey);
        }
        try (ConfigurableApplicationContext second = start(apiKey)) {
            assertThat(hasHa1s(second, apiKey)).isFalse();
            AccountChanged snapshot = events(id, 3).get(2).value();
            assertThat(snapshot.getChangeType()).isEqualTo(ChangeType.SNAPSHOT);
            assertThat(snapshot.getApiKey()).isEqualTo(apiKey);
            assertThat(snapshot.getSealedHa1Md5()).isNull();
            assertThat(snapshot.getSealedHa1Sha256()).isNull();

            String next = as(second, apiKey, rotated).post("/v1/admin/accounts/" + id + "/secret", null).json()
                    .get("api_secret").asString();
            assertOpensTo(events(id, 4).get(3).value(), apiKey, REALM, next);
        }
    }
}
