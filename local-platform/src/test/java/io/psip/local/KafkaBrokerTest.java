package io.psip.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerTest {

    @TempDir
    Path dir;

    @Test
    void serverPropertiesDescribeASingleNodeKraftBrokerOnTheShiftedPorts() {
        Map<String, String> p = KafkaBroker.serverProperties(new Ports(10), Path.of("/data/kafka/data"));

        assertThat(p).containsEntry("process.roles", "broker,controller")
                .containsEntry("controller.quorum.voters", "1@127.0.0.1:9103")
                .containsEntry("listeners", "PLAINTEXT://127.0.0.1:9102,CONTROLLER://127.0.0.1:9103")
                .containsEntry("advertised.listeners", "PLAINTEXT://127.0.0.1:9102")
                .containsEntry("controller.listener.names", "CONTROLLER")
                .containsEntry("log.dirs", "/data/kafka/data")
                .containsEntry("offsets.topic.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1")
                .containsEntry("share.coordinator.state.topic.replication.factor", "1");
    }

    @Test
    void brokerFromGeneratedPropertiesServesAdminKeepsTopicsOverARestartAndStops() throws Exception {
        Ports ports = TestPorts.free();
        Path agent = ParentWatch.writeAgentJar(dir.resolve("run/parent-watch.jar"));
        Path properties = KafkaBroker.writeServerProperties(ports, dir.resolve("kafka"));

        assertThat(KafkaBroker.formatIfNeeded(properties, dir.resolve("kafka/data"))).isTrue();
        assertThat(KafkaBroker.formatIfNeeded(properties, dir.resolve("kafka/data"))).isFalse();

        Child first = startBroker(agent, properties, ports, "kafka-1");
        try (Admin admin = admin(ports)) {
            assertThat(admin.describeCluster().nodes().get(10, TimeUnit.SECONDS)).singleElement()
                    .satisfies(node -> assertThat(node.port()).isEqualTo(ports.kafka()));
            admin.createTopics(List.of(new NewTopic("psip.domains", 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
        }
        stop(first);

        Child second = startBroker(agent, properties, ports, "kafka-2");
        try (Admin admin = admin(ports)) {
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains("psip.domains");
        } finally {
            stop(second);
        }
    }

    private Child startBroker(Path agent, Path properties, Ports ports, String name) {
        Child broker = Child.start(name, ChildJvm.onLauncherClassPath(agent, ChildJvm.Profile.KAFKA, dir.resolve("logs/" + name + "-gc.log"), "kafka.Kafka",
                List.of(properties.toString())), dir.resolve("logs/" + name + ".log"), Readiness.kafka(ports.kafkaBootstrap()));
        await("broker ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
                .failFast("broker exited: " + broker.tail(20), () -> !broker.alive())
                .until(broker::probe);
        return broker;
    }

    private static void stop(Child broker) throws IOException {
        broker.terminate();
        broker.awaitExit(System.nanoTime() + Duration.ofSeconds(30).toNanos());
        assertThat(broker.alive()).isFalse();
        assertThat(Files.readString(broker.log())).contains("[BrokerServer id=1] shut down completed");
    }

    private static Admin admin(Ports ports) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, ports.kafkaBootstrap()));
    }
}
