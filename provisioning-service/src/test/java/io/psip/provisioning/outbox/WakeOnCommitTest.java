package io.psip.provisioning.outbox;

import io.psip.events.DomainChanged;
import io.psip.provisioning.Fixtures;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.ProvisioningApplication;
import io.psip.provisioning.TopicProbe;
import io.psip.schemas.Topics;
import io.psip.testsupport.TestKafka;
import io.psip.testsupport.TestSecrets;
import io.psip.testsupport.TestPostgres;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A committed change is published at once, not at the relay's next poll: an instance whose poll interval is an
 * hour still gets its domain onto the topic. It has a database of its own, so no other test's relay (they share
 * the test PostgreSQL and poll often) can publish the row for it.
 */
class WakeOnCommitTest {

    @Test
    void aCommittedChangeIsPublishedWithoutWaitingForThePoll() throws SQLException {
        String jdbcUrl = TestPostgres.jdbcUrl();
        String ownDatabase = jdbcUrl.replace("/postgres?", "/outbox_wake?");
        assertThat(ownDatabase).isNotEqualTo(jdbcUrl);
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres");
             Statement s = c.createStatement()) {
            s.execute("drop database if exists outbox_wake");
            s.execute("create database outbox_wake");
        }
        try (ConfigurableApplicationContext context = new SpringApplicationBuilder(ProvisioningApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=" + ownDatabase,
                "--spring.datasource.username=postgres",
                "--spring.datasource.password=postgres",
                "--psip.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                "--psip.schema-registry.url=" + TestKafka.registryUrl(),
                "--psip.secrets.key-file=" + TestSecrets.keyFile(),
                "--psip.outbox.poll-interval=1h");
             TopicProbe domains = new TopicProbe(Topics.DOMAINS.name())) {
            Http admin = new Http(((WebServerApplicationContext) context).getWebServer().getPort(),
                    IntegrationTest.ADMIN_KEY, IntegrationTest.ADMIN_SECRET);
            Http.Response app = admin.post("/v2/applications", Fixtures.application("wake"));
            assertThat(app.status()).isEqualTo(201);
            String name = Fixtures.uniqueDomain("wake");
            assertThat(admin.post("/v1/psip", Fixtures.domain(name, app.json().get("id").asString(), "192.0.2.1"))
                    .status()).isEqualTo(201);

            List<ConsumerRecord<String, DomainChanged>> events = await().atMost(Duration.ofSeconds(30))
                    .until(() -> domains.<DomainChanged>poll(name), l -> !l.isEmpty());
            assertThat(events.get(0).value().getVersion()).isEqualTo(1L);
        }
    }
}
