package io.psip.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Brings docker-compose.yml up (images built from the modules' Dockerfiles and this build's jars) where Docker
 * exists; skipped without Docker, which is why DockerComposeFileTest checks the file statically as well.
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerComposeStackIT {

    private static final Duration STARTUP = Duration.ofMinutes(5);

    @Container
    static final ComposeContainer STACK = new ComposeContainer(
            ProjectDirs.root().resolve("docker-compose.yml").toFile())
            .withBuild(true)
            // The psip images are built, not pulled; `up` pulls the others when missing.
            .withPull(false)
            .withExposedService("provisioning", 8080,
                    Wait.forHttp("/actuator/health/readiness").forStatusCode(200).withStartupTimeout(STARTUP))
            .withExposedService("routing-us", 8091,
                    Wait.forHttp("/actuator/health/readiness").forStatusCode(200).withStartupTimeout(STARTUP));

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void provisioningIsReadyAndServesTheBootstrapAccount() throws Exception {
        String provisioning = "http://" + STACK.getServiceHost("provisioning", 8080) + ":"
                + STACK.getServicePort("provisioning", 8080);

        HttpResponse<String> readiness = http.send(
                HttpRequest.newBuilder(URI.create(provisioning + "/actuator/health/readiness")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"UP\"");

        String credentials = Base64.getEncoder()
                .encodeToString("psiplocal:psiplocalsecret".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> domains = http.send(HttpRequest.newBuilder(URI.create(provisioning + "/v1/psip"))
                .header("Authorization", "Basic " + credentials).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(domains.statusCode()).isEqualTo(200);
    }

    @Test
    void routingUsIsReady() throws Exception {
        String routing = "http://" + STACK.getServiceHost("routing-us", 8091) + ":"
                + STACK.getServicePort("routing-us", 8091);
        HttpResponse<String> readiness = http.send(
                HttpRequest.newBuilder(URI.create(routing + "/actuator/health/readiness")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"UP\"");
    }
}
