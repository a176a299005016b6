package io.psip.provisioning.web;

import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The web console's origin may call the API from a browser with Basic credentials; other origins may not. */
@TestPropertySource(properties = "psip.api.cors.allowed-origins=" + CorsTest.CONSOLE)
class CorsTest extends IntegrationTest {

    static final String CONSOLE = "http://127.0.0.1:7084";

    @Test
    void aPreflightFromTheConsoleIsAnsweredWithoutCredentials() {
        Http.Response preflight = anonymous().send("OPTIONS", "/v2/applications", null, Map.of(
                "Origin", CONSOLE,
                "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization, content-type"));
        assertThat(preflight.status()).isEqualTo(200);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo(CONSOLE);
        assertThat(preflight.header("Access-Control-Allow-Methods")).contains("POST");
        assertThat(preflight.header("Access-Control-Allow-Headers").toLowerCase()).contains("authorization", "content-type");
    }

    @Test
    void theConsolesRequestsAndTheirErrorsCarryTheCorsHeaders() {
        Http.Response list = admin().send("GET", "/v2/applications", null, Map.of("Origin", CONSOLE));
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.header("Access-Control-Allow-Origin")).isEqualTo(CONSOLE);

        // a wrong secret: the page must be able to read the API's problem
        Http.Response wrong = as(ADMIN_KEY, "wrong-secret").send("GET", "/v2/applications", null, Map.of("Origin", CONSOLE));
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(wrong.header("Access-Control-Allow-Origin")).isEqualTo(CONSOLE);
    }

    @Test
    void anotherOriginIsRefused() {
        Http.Response preflight = anonymous().send("OPTIONS", "/v2/applications", null, Map.of(
                "Origin", "http://evil.example",
                "Access-Control-Request-Method", "GET"));
        assertThat(preflight.status()).isEqualTo(403);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isNull();
    }
}
