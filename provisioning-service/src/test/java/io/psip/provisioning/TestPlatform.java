package io.psip.provisioning;

import io.psip.registry.DevSchemaRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import kafka.server.BrokerServer;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * One embedded PostgreSQL, one embedded KRaft broker and one dev schema registry per test JVM, shared by every
 * test class (and so by the one cached Spring context). The broker listens on a fixed port so it can be
 * stopped and started again with its data, for the outbox failure test.
 */
public final class TestPlatform {

    public static final EmbeddedPostgres POSTGRES;
    public static final EmbeddedKafkaKraftBroker KAFKA;
    public static final DevSchemaRegistry REGISTRY;

    static {
        try {
            KAFKA = new EmbeddedKafkaKraftBroker(1, 1).kafkaPorts(freePort());
            KAFKA.afterPropertiesSet();
            POSTGRES = EmbeddedPostgres.builder().start();
            REGISTRY = DevSchemaRegistry.start(KAFKA.getBrokersAsString(), 0);
            await().atMost(Duration.ofSeconds(60)).until(REGISTRY::ready);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                REGISTRY.close();
                KAFKA.destroy();
                try {
                    POSTGRES.close();
                } catch (IOException ignored) {
                    // the JVM is ending
                }
            }));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private TestPlatform() {
    }

    public static String bootstrapServers() {
        return KAFKA.getBrokersAsString();
    }

    public static String jdbcUrl() {
        return POSTGRES.getJdbcUrl("postgres", "postgres");
    }

    /** Stops the broker process-in-JVM, keeping its log directory. */
    public static void stopBroker() {
        KAFKA.getCluster().brokers().values().forEach(BrokerServer::shutdown);
        KAFKA.getCluster().brokers().values().forEach(BrokerServer::awaitShutdown);
    }

    /** Starts the stopped broker again on the same port with the same data. */
    public static void startBroker() {
        KAFKA.getCluster().brokers().values().forEach(BrokerServer::startup);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
