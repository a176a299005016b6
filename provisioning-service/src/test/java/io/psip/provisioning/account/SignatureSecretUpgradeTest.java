package io.psip.provisioning.account;

import io.psip.events.AccountChanged;
import io.psip.events.ChangeType;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.ProvisioningApplication;
import io.psip.provisioning.TopicProbe;
import io.psip.schemas.Topics;
import io.psip.schemas.crypto.AccountSecrets;
import io.psip.testsupport.TestSecrets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9 item 6: accounts from before the signature secret was stored sealed (a row with it in clear), the
 * bootstrap account and tenants alike, get it sealed at the next start and republished as UPDATED, sealed, so
 * webhook-service can sign for them; the account still reads its secret back.
 */
class SignatureSecretUpgradeTest {

    private static final String SECRET = "bootstrap-secret";

    private static ConfigurableApplicationContext start(String apiKey) {
        return new SpringApplicationBuilder(ProvisioningApplication.class).run(IntegrationTest.standaloneArgs(
                "--psip.bootstrap-account.api-key=" + apiKey, "--psip.bootstrap-account.api-secret=" + SECRET));
    }

    private static Http as(ConfigurableApplicationContext context, String apiKey, String secret) {
        return new Http(((WebServerApplicationContext) context).getWebServer().getPort(), apiKey, secret);
    }

    /** What the row of an account looked like before: the signature secret in clear, nothing sealed. */
    private static void unseal(ConfigurableApplicationContext context, String id, String signatureSecret) {
        assertThat(context.getBean(JdbcTemplate.class).update("update accounts set signature_secret = ?,"
                + " sealed_signature_secret = null where id = ?::uuid", signatureSecret, id)).isEqualTo(1);
    }

    @Test
    void clearSecretsAreSealedAndRepublishedAtTheNextStart() {
        String apiKey = "boot-sig-" + System.nanoTime();
        String bootstrapId;
        String tenantId;
        String tenantSecret;
        try (ConfigurableApplicationContext first = start(apiKey)) {
            Http admin = as(first, apiKey, SECRET);
            bootstrapId = admin.get("/v1/account").json().get("id").asString();
            Http.Response tenant = admin.post("/v1/admin/accounts", "{}");
            tenantId = tenant.json().get("id").asString();
            tenantSecret = tenant.json().get("signature_secret").asString();
            unseal(first, bootstrapId, "old-bootstrap-signature-secret-0");
            unseal(first, tenantId, tenantSecret);
        }
        try (ConfigurableApplicationContext second = start(apiKey)) {
            JdbcTemplate jdbc = second.getBean(JdbcTemplate.class);
            assertThat(jdbc.queryForObject("select count(*) from accounts where signature_secret is not null",
                    Integer.class)).isZero();
            assertThat(as(second, apiKey, SECRET).get("/v1/account").json().get("signature_secret").asString())
                    .isEqualTo("old-bootstrap-signature-secret-0");

            AccountChanged bootstrapUpdate = events(bootstrapId, 2).get(1);
            assertThat(bootstrapUpdate.getChangeType()).isEqualTo(ChangeType.UPDATED);
            assertThat(bootstrapUpdate.getVersion()).isEqualTo(2);
            assertThat(opened(bootstrapUpdate)).isEqualTo("old-bootstrap-signature-secret-0");
            AccountChanged tenantUpdate = events(tenantId, 2).get(1);
            assertThat(tenantUpdate.getChangeType()).isEqualTo(ChangeType.UPDATED);
            assertThat(opened(tenantUpdate)).isEqualTo(tenantSecret);
        }
    }

    private static String opened(AccountChanged event) {
        return AccountSecrets.openSignatureSecret(TestSecrets.key(), event.getAccountId(),
                event.getSealedSignatureSecret()).secret();
    }

    private static List<AccountChanged> events(String id, int atLeast) {
        try (TopicProbe accounts = new TopicProbe(Topics.ACCOUNTS.name())) {
            return await().atMost(Duration.ofSeconds(60))
                    .until(() -> accounts.<AccountChanged>poll(id), l -> l.size() >= atLeast)
                    .stream().map(ConsumerRecord::value).toList();
        }
    }
}
