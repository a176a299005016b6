package io.psip.routing;

import io.psip.registry.DevSchemaRegistry;
import org.awaitility.Awaitility;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

/** One embedded KRaft broker and one dev schema registry for the whole test JVM, plus free ports. */
public final class TestInfra {

    private static EmbeddedKafkaKraftBroker broker;
    private static DevSchemaRegistry registry;

    private TestInfra() {
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

    public static synchronized String registryUrl() {
        if (registry == null) {
            registry = DevSchemaRegistry.start(bootstrapServers(), 0);
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(registry::ready);
        }
        return registry.url();
    }

    /** A port free for both UDP and TCP on 127.0.0.1, as a SIP listener needs. */
    public static int freeSipPort() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = tcp.getLocalPort();
                try (DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    // UDP side in use: try another
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no free SIP port");
    }
}
