package io.psip.provisioning;

import io.psip.testsupport.TestPostgres;
import io.psip.testsupport.TestKafka;
import io.psip.testsupport.TestSecrets;
import io.psip.provisioning.outbox.OutboxRelay;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.jdbc.core.JdbcTemplate;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Base of the tests that run the whole service over real HTTP against the shared test PostgreSQL, broker and registry. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class IntegrationTest {

    public static final String ADMIN_KEY = "psiplocal";
    public static final String ADMIN_SECRET = "psiplocalsecret";
    public static final String OPERATOR_PASSWORD = "provisioning-test-operator";

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcTemplate jdbc;

    @Autowired
    protected OutboxRelay relay;

    @DynamicPropertySource
    static void platform(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestPostgres::jdbcUrl);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "postgres");
        registry.add("psip.kafka.bootstrap-servers", TestKafka::bootstrapServers);
        registry.add("psip.schema-registry.url", TestKafka::registryUrl);
        registry.add("psip.outbox.poll-interval", () -> "200ms");
        registry.add("psip.secrets.key-file", () -> TestSecrets.keyFile().toString());
        registry.add("psip.operator.password", () -> OPERATOR_PASSWORD);
    }

    /**
     * Command-line arguments for a provisioning service started outside the test context (a restart test, a fuzz
     * test), on a free port against the shared PostgreSQL, broker and registry.
     */
    public static String[] standaloneArgs(String... more) {
        List<String> args = new ArrayList<>(List.of("--server.port=0",
                "--spring.datasource.url=" + TestPostgres.jdbcUrl(),
                "--spring.datasource.username=postgres",
                "--spring.datasource.password=postgres",
                "--psip.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                "--psip.schema-registry.url=" + TestKafka.registryUrl(),
                "--psip.secrets.key-file=" + TestSecrets.keyFile()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** A client for the bootstrap (admin) account. */
    protected Http admin() {
        return new Http(port, ADMIN_KEY, ADMIN_SECRET);
    }

    /** The operator credential (psip.operator.*), for the actuator beyond health and prometheus. */
    protected Http operator() {
        return new Http(port, "operator", OPERATOR_PASSWORD);
    }

    protected Http anonymous() {
        return new Http(port, null, null);
    }

    protected Http as(String apiKey, String secret) {
        return new Http(port, apiKey, secret);
    }

    /** A fresh tenant, created through the admin API. */
    protected Http newTenant() {
        Http.Response created = admin().post("/v1/admin/accounts", "{}");
        assertThat(created.status()).isEqualTo(201);
        return as(created.json().get("api_key").asString(), created.json().get("api_secret").asString());
    }

    /** Creates an application for {@code client} and returns its id. */
    protected static String createApplication(Http client) {
        Http.Response app = client.post("/v2/applications", Fixtures.application("app"));
        assertThat(app.status()).isEqualTo(201);
        return app.json().get("id").asString();
    }

    /** Creates a domain with a unique name for {@code client} and returns the name. */
    protected static String createDomain(Http client, String applicationId) {
        String name = Fixtures.uniqueDomain("dom");
        Http.Response domain = client.post("/v1/psip", Fixtures.domain(name, applicationId, "192.0.2.1"));
        assertThat(domain.status()).isEqualTo(201);
        return name;
    }

    /** Waits until the relay has published everything written so far. */
    protected void awaitOutboxDrained() {
        await().atMost(Duration.ofSeconds(60)).until(() -> relay.pending() == 0);
    }

    protected long outboxRows(String key) {
        return jdbc.queryForObject("select count(*) from outbox where message_key = ?", Long.class, key);
    }
}
