package io.psip.provisioning;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** Base of the tests that run the whole service over real HTTP against {@link TestPlatform}. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class IntegrationTest {

    public static final String ADMIN_KEY = "psiplocal";
    public static final String ADMIN_SECRET = "psiplocalsecret";

    @LocalServerPort
    protected int port;

    @DynamicPropertySource
    static void platform(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestPlatform::jdbcUrl);
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "postgres");
        registry.add("psip.kafka.bootstrap-servers", TestPlatform::bootstrapServers);
        registry.add("psip.schema-registry.url", TestPlatform.REGISTRY::url);
        registry.add("psip.outbox.poll-interval", () -> "200ms");
    }

    /** A client for the bootstrap (admin) account. */
    protected Http admin() {
        return new Http(port, ADMIN_KEY, ADMIN_SECRET);
    }

    protected Http anonymous() {
        return new Http(port, null, null);
    }

    protected Http as(String apiKey, String secret) {
        return new Http(port, apiKey, secret);
    }
}
