package io.psip.provisioning.account;

import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.ProvisioningApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 7 item 9: a restart never brings the configured bootstrap secret back after it was rotated. */
class BootstrapAccountRestartTest {

    // its own bootstrap account, so rotating it leaves the other tests' psiplocal alone in the shared database
    private static final String API_KEY = "bootstrap-" + System.nanoTime();
    private static final String CONFIGURED_SECRET = "configured-bootstrap-secret";

    private static ConfigurableApplicationContext start() {
        return new SpringApplicationBuilder(ProvisioningApplication.class).run(IntegrationTest.standaloneArgs(
                "--psip.bootstrap-account.api-key=" + API_KEY,
                "--psip.bootstrap-account.api-secret=" + CONFIGURED_SECRET));
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    @Test
    void aRotatedBootstrapSecretSurvivesARestart() {
        String rotated;
        try (ConfigurableApplicationContext first = start()) {
            Http bootstrap = new Http(port(first), API_KEY, CONFIGURED_SECRET);
            Http.Response self = bootstrap.get("/v1/account");
            assertThat(self.status()).as("created on the first start with the configured secret").isEqualTo(200);
            Http.Response rotation = bootstrap.post("/v1/admin/accounts/" + self.json().get("id").asString() + "/secret", null);
            assertThat(rotation.status()).isEqualTo(200);
            rotated = rotation.json().get("api_secret").asString();
        }
        try (ConfigurableApplicationContext second = start()) {
            assertThat(new Http(port(second), API_KEY, rotated).get("/v1/account").status()).isEqualTo(200);
            assertThat(new Http(port(second), API_KEY, CONFIGURED_SECRET).get("/v1/account").status()).isEqualTo(401);
            assertThat(new Http(port(second), API_KEY, rotated).get("/v1/admin/accounts").status())
                    .as("still the admin account").isEqualTo(200);
        }
    }
}
