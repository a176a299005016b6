package io.psip.provisioning.outbox;

import io.psip.testsupport.TestPostgres;
import io.psip.testsupport.TestKafka;
import io.psip.testsupport.TestSecrets;
import io.psip.provisioning.Fixtures;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.ProvisioningApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service must start, report ready and accept changes while Kafka is unreachable (the launcher may start
 * it before the broker is up): a second instance on the same database, pointed at a closed port.
 */
class StartWithoutKafkaTest {

    @Test
    void startsReadyAndAcceptsChangesWithoutABroker() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ProvisioningApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=" + TestPostgres.jdbcUrl(),
                "--spring.datasource.username=postgres",
                "--spring.datasource.password=postgres",
                "--psip.kafka.bootstrap-servers=127.0.0.1:" + closedPort,
                "--psip.schema-registry.url=" + TestKafka.registryUrl(),
                "--psip.secrets.key-file=" + TestSecrets.keyFile())) {
            int port = ((WebServerApplicationContext) context).getWebServer().getPort();
            Http anonymous = new Http(port, null, null);
            assertThat(anonymous.get("/actuator/health/readiness").status()).isEqualTo(200);
            Http admin = new Http(port, IntegrationTest.ADMIN_KEY, IntegrationTest.ADMIN_SECRET);
            Http.Response created = admin.post("/v2/applications", Fixtures.application("no-kafka"));
            assertThat(created.status()).isEqualTo(201);
            assertThat(admin.post("/v1/psip", Fixtures.domain(Fixtures.uniqueDomain("nokafka"), created.json().get("id").asString(),
                    "192.0.2.1")).status()).isEqualTo(201);
        }
    }
}
