package io.psip.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.psip.local.Ports.Region;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PortsTest {

    @Test
    void localDefaultsMatchTheContract() {
        Ports ports = new Ports(0);

        assertThat(ports.kafkaBootstrap()).isEqualTo("127.0.0.1:9092");
        assertThat(ports.registryUrl()).isEqualTo("http://127.0.0.1:8081");
        assertThat(ports.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:15432/postgres");
        assertThat(ports.provisioning()).isEqualTo(8080);
        assertThat(ports.webhook()).isEqualTo(8082);
        assertThat(ports.voice()).isEqualTo(8083);
        assertThat(ports.console()).isEqualTo(8084);
        assertThat(Arrays.stream(Region.values()).map(r -> r.id() + ":" + ports.sip(r) + "/" + ports.sipTls(r) + "/" + ports.routingHttp(r)))
                .containsExactly("us:5060/5061/8091", "eu:5070/5071/8092", "ap:5080/5081/8093");
    }

    @Test
    void offsetShiftsEveryPortAndNoTwoPortsClash() {
        Ports base = new Ports(0);
        Ports shifted = new Ports(1000);

        int[] expected = Arrays.stream(base.allTcp()).map(p -> p + 1000).toArray();
        assertThat(shifted.allTcp()).containsExactly(expected);
        assertThat(shifted.kafkaBootstrap()).isEqualTo("127.0.0.1:10092");
        assertThat(shifted.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:16432/postgres");
        assertThat(Arrays.stream(base.allTcp()).distinct().count()).isEqualTo(base.allTcp().length);
        assertThat(Arrays.stream(base.allTcp()).max().orElseThrow()).isEqualTo(Ports.HIGHEST_DEFAULT);
    }

    @Test
    void regionalClustersAddApsBrokerRegistryAndWebhookShiftedLikeTheRest() {
        Ports single = new Ports(0);
        Ports regional = new Ports(0, true);
        Ports shifted = new Ports(2000, true);

        assertThat(regional.kafkaApBootstrap()).isEqualTo("127.0.0.1:9094");
        assertThat(regional.kafkaApController()).isEqualTo(9095);
        assertThat(regional.registryApUrl()).isEqualTo("http://127.0.0.1:8085");
        assertThat(regional.webhookAp()).isEqualTo(8086);
        assertThat(shifted.kafkaApBootstrap()).isEqualTo("127.0.0.1:11094");
        assertThat(shifted.registryApUrl()).isEqualTo("http://127.0.0.1:10085");
        assertThat(shifted.webhookAp()).isEqualTo(10086);
        // without the flag nothing changes: the extra ports are neither checked nor refused to webhooks
        assertThat(single.allTcp()).doesNotContain(9094, 9095, 8085, 8086);
        assertThat(regional.allTcp()).startsWith(single.allTcp()).contains(9094, 9095, 8085, 8086);
        assertThat(regional.allTcpList()).contains("9094,9095,8085,8086");
        assertThat(Arrays.stream(regional.allTcp()).distinct().count()).isEqualTo(regional.allTcp().length);
    }
}
