package io.psip.provisioning.web;

import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Readiness and metrics for the launcher and operators; errors stay problem+json for Accept: application/json. */
class OperationsTest extends IntegrationTest {

    @Test
    void readinessAndPrometheusAreOpen() {
        Http.Response readiness = anonymous().get("/actuator/health/readiness");
        assertThat(readiness.status()).isEqualTo(200);
        assertThat(readiness.json().get("status").asString()).isEqualTo("UP");
        assertThat(anonymous().get("/actuator/health/liveness").status()).isEqualTo(200);

        Http.Response metrics = anonymous().get("/actuator/prometheus");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.body()).contains("psip_outbox_pending");
        assertThat(anonymous().get("/actuator/env").status()).isIn(401, 404);
    }

    @Test
    void errorsAreProblemJsonEvenWhenTheClientAsksForJson() {
        Http.Response notFound = admin().send("GET", "/v1/psip/missing-domain", null, Map.of("Accept", "application/json"));
        assertThat(notFound.status()).isEqualTo(404);
        assertThat(notFound.contentType()).startsWith("application/problem+json");
        Http.Response invalid = admin().send("POST", "/v1/psip", "{\"name\": \"x\"}", Map.of("Accept", "application/json"));
        assertThat(invalid.status()).isEqualTo(422);
        assertThat(invalid.json().get("invalid_parameters")).isNotNull();
        Http.Response unauthorized = anonymous().send("GET", "/v1/psip", null, Map.of("Accept", "application/json"));
        assertThat(unauthorized.status()).isEqualTo(401);
        assertThat(unauthorized.contentType()).startsWith("application/problem+json");
    }
}
