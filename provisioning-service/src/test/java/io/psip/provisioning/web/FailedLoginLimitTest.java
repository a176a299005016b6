package io.psip.provisioning.web;

import io.psip.provisioning.IntegrationTest;
import io.psip.testsupport.RawHttp;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 7 item 9: wrong API secrets from one source are limited with 429 before bcrypt runs; other sources and
 * successful logins are not affected. Sources are 127.0.0.4x, so the other tests' 127.0.0.1 keeps its budget.
 */
class FailedLoginLimitTest extends IntegrationTest {

    private RawHttp.Response get(String source, String apiKey, String secret) {
        return RawHttp.send(source, port, "GET", "/v1/psip", Map.of("Authorization", RawHttp.basic(apiKey, secret)), null);
    }

    @Test
    void wrongSecretsFromOneSourceGet429BeforeAnyCheck() {
        String attacker = "127.0.0.40";
        for (int i = 0; i < 10; i++) {
            assertThat(get(attacker, ADMIN_KEY, "guess-" + i).status()).isEqualTo(401);
        }
        RawHttp.Response throttled = get(attacker, ADMIN_KEY, "guess-10");
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.header("Content-Type")).startsWith("application/problem+json");
        assertThat(Long.parseLong(throttled.header("Retry-After"))).isBetween(1L, 6L);
        // the right secret is refused too: nothing is checked while the source is over its budget
        assertThat(get(attacker, ADMIN_KEY, ADMIN_SECRET).status()).isEqualTo(429);
        assertThat(get(attacker, "nobody", "whatever").status()).isEqualTo(429);

        assertThat(get("127.0.0.41", ADMIN_KEY, ADMIN_SECRET).status()).as("another source").isEqualTo(200);
        String metrics = anonymous().get("/actuator/prometheus").body();
        assertThat(metrics).containsPattern("psip_http_auth_throttled_total(\\{[^}]*})? [1-9]")
                .containsPattern("psip_http_auth_failures_total(\\{[^}]*})? ([1-9]\\d|[1-9]\\d\\d)");
    }

    @Test
    void successfulLoginsUseNoBudget() {
        String busyClient = "127.0.0.42";
        for (int i = 0; i < 50; i++) {
            assertThat(get(busyClient, ADMIN_KEY, ADMIN_SECRET).status()).isEqualTo(200);
        }
        for (int i = 0; i < 9; i++) {
            assertThat(get(busyClient, ADMIN_KEY, "typo").status()).isEqualTo(401);
        }
        assertThat(get(busyClient, ADMIN_KEY, ADMIN_SECRET).status()).as("nine failures leave one try").isEqualTo(200);
    }
}
