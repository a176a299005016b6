package io.psip.provisioning.outbox;

import io.psip.provisioning.ProvisioningApplication;
import io.psip.registry.DevSchemaRegistry;
import io.psip.testsupport.FreePorts;
import io.psip.testsupport.TestPostgres;
import io.psip.testsupport.TestSecrets;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.flywaydb.core.Flyway;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * A broker, a database and a registry port of their own, for outbox tests whose records, schemas or outages must
 * reach no other test: the shared registry would refuse an old writer schema registered after the current one,
 * and v1-framed records or a stopped registry would break every other reader of the shared topics. The registry
 * runs only once {@link #startRegistry} is called; until then its URL refuses connections.
 */
final class IsolatedPlatform implements AutoCloseable {

    private final EmbeddedKafkaKraftBroker kafka;
    private final String databaseUrl;
    private final int registryPort = FreePorts.tcp();
    private DevSchemaRegistry registry;

    IsolatedPlatform() {
        kafka = new EmbeddedKafkaKraftBroker(1, 1).kafkaPorts(FreePorts.tcp());
        kafka.brokerProperty("auto.create.topics.enable", "false");
        kafka.afterPropertiesSet();
        String name = "outbox_" + System.nanoTime();
        new JdbcTemplate(new DriverManagerDataSource(TestPostgres.jdbcUrl(), "postgres", "postgres"))
                .execute("create database " + name);
        databaseUrl = TestPostgres.jdbcUrl().replace("/postgres?", "/" + name + "?");
    }

    String bootstrapServers() {
        return kafka.getBrokersAsString();
    }

    String registryUrl() {
        return "http://127.0.0.1:" + registryPort;
    }

    DevSchemaRegistry startRegistry() {
        registry = DevSchemaRegistry.start(bootstrapServers(), registryPort);
        await().atMost(Duration.ofSeconds(60)).until(registry::ready);
        return registry;
    }

    /** The database migrated as the service would at start, for rows an earlier build left behind. */
    JdbcTemplate migratedDatabase() {
        Flyway.configure().dataSource(databaseUrl, "postgres", "postgres").load().migrate();
        return new JdbcTemplate(new DriverManagerDataSource(databaseUrl, "postgres", "postgres"));
    }

    ConfigurableApplicationContext startService() {
        return new SpringApplicationBuilder(ProvisioningApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=" + databaseUrl,
                "--spring.datasource.username=postgres",
                "--spring.datasource.password=postgres",
                "--psip.kafka.bootstrap-servers=" + bootstrapServers(),
                "--psip.schema-registry.url=" + registryUrl(),
                "--psip.outbox.poll-interval=200ms",
                "--psip.secrets.key-file=" + TestSecrets.keyFile());
    }

    /** Every record of {@code topic} so far, raw, read from the beginning of all partitions. */
    List<ConsumerRecord<String, byte[]>> records(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    @Override
    public void close() {
        if (registry != null) {
            registry.close();
        }
        kafka.destroy();
    }
}
