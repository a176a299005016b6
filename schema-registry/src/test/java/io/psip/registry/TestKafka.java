package io.psip.registry;

import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/** One embedded KRaft broker and one dev registry for the whole test JVM; tests use their own subjects and topics. */
public final class TestKafka {

    private static EmbeddedKafkaKraftBroker broker;
    private static DevSchemaRegistry registry;

    private TestKafka() {
    }

    public static synchronized String bootstrapServers() {
        if (broker == null) {
            broker = new EmbeddedKafkaKraftBroker(1, 1);
            broker.brokerProperty("auto.create.topics.enable", "false");
            broker.afterPropertiesSet();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> broker.destroy()));
        }
        return broker.getBrokersAsString();
    }

    /** Creates topics with 3 partitions (so readers must handle several); existing ones are left alone. */
    public static void createTopics(String... names) {
        bootstrapServers();
        for (String name : names) {
            if (!broker.getTopics().contains(name)) {
                broker.addTopicsWithResults(new org.apache.kafka.clients.admin.NewTopic(name, 3, (short) 1));
            }
        }
    }

    /** The shared registry on {@code _schemas}, started once and ready. */
    public static synchronized DevSchemaRegistry registry() {
        if (registry == null) {
            registry = DevSchemaRegistry.start(bootstrapServers(), 0);
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(registry::ready);
        }
        return registry;
    }
}
