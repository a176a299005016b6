package io.psip.provisioning.web;

import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 7 item 9: the actuator is the operator's, the API the accounts'; neither credential opens the other. */
class OperatorCredentialTest extends IntegrationTest {

    @Test
    void theActuatorBeyondHealthAndMetricsNeedsTheOperatorCredential() {
        Http.Response info = operator().get("/actuator/info");
        assertThat(info.status()).isEqualTo(200);
        for (Http client : new Http[] {anonymous(), admin(), newTenant(), as("operator", "wrong")}) {
            Http.Response refused = client.get("/actuator/info");
            assertThat(refused.status()).isEqualTo(401);
            assertThat(refused.contentType()).startsWith("application/problem+json");
        }
        assertThat(anonymous().get("/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(anonymous().get("/actuator/prometheus").status()).isEqualTo(200);
    }

    @Test
    void theOperatorCredentialOpensNoAccountEndpoint() {
        for (String path : new String[] {"/v1/psip", "/v2/applications", "/v1/account", "/v1/admin/accounts"}) {
            Http.Response refused = operator().get(path);
            assertThat(refused.status()).as(path).isEqualTo(401);
            assertThat(refused.contentType()).startsWith("application/problem+json");
        }
        assertThat(admin().get("/v1/admin/accounts").status()).isEqualTo(200);
    }
}
