package io.psip.provisioning.domain;

import io.psip.events.DomainChanged;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.ProvisioningApplication;
import io.psip.provisioning.TopicProbe;
import io.psip.schemas.Topics;
import io.psip.schemas.crypto.DigestUserSecrets;
import io.psip.schemas.crypto.PlatformKey;
import io.psip.testsupport.TestKafka;
import io.psip.testsupport.TestPostgres;
import io.psip.testsupport.TestSecrets;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Issue 7 item 9: digest users' HA1s reach {@code psip.domains} only sealed under the platform key. */
class SealedHa1Test extends IntegrationTest {

    @Test
    void theHa1BytesOnPsipDomainsAreNotTheHa1() throws Exception {
        String name = createDomain(admin(), createApplication(admin()));
        assertThat(admin().post("/v1/psip/" + name + "/users", "{\"key\": \"alice\", \"secret\": \"alice-secret-9\"}")
                .status()).isEqualTo(201);
        DigestUser alice = DigestUser.of("alice", name, "alice-secret-9");
        String input = "alice:" + name + ":alice-secret-9";
        List<byte[]> forbidden = List.of(
                alice.ha1Md5().getBytes(StandardCharsets.US_ASCII),
                alice.ha1Sha256().getBytes(StandardCharsets.US_ASCII),
                alice.ha1Md5().toUpperCase().getBytes(StandardCharsets.US_ASCII),
                MessageDigest.getInstance("MD5").digest(input.getBytes(StandardCharsets.UTF_8)),
                MessageDigest.getInstance("SHA-256").digest(input.getBytes(StandardCharsets.UTF_8)),
                "alice-secret-9".getBytes(StandardCharsets.UTF_8));

        byte[] raw = rawValues(name, 2).get(1);
        assertThat(new String(raw, StandardCharsets.ISO_8859_1)).contains("alice").contains(name);
        for (byte[] clear : forbidden) {
            assertThat(indexOf(raw, clear)).as("%s in the record", HexFormat.of().formatHex(clear)).isEqualTo(-1);
        }
    }

    @Test
    void aReaderWithoutTheKeySeesOnlyCiphertextAndTheKeyOpensIt() {
        String name = createDomain(admin(), createApplication(admin()));
        assertThat(admin().post("/v1/psip/" + name + "/users", "{\"key\": \"bob\", \"secret\": \"bob-secret-99\"}")
                .status()).isEqualTo(201);
        DigestUser bob = DigestUser.of("bob", name, "bob-secret-99");
        try (TopicProbe probe = new TopicProbe(Topics.DOMAINS.name())) {
            DomainChanged event = await().atMost(Duration.ofSeconds(60))
                    .until(() -> probe.<DomainChanged>poll(name), list -> list.size() >= 2).get(1).value();
            io.psip.events.DigestUser published = event.getDigestUsers().get(0);
            assertThat(published.getSealedHa1Md5().getKeyId()).isEqualTo(TestSecrets.key().id());
            assertThat(published.toString()).doesNotContain(bob.ha1Md5()).doesNotContain(bob.ha1Sha256());

            assertThat(DigestUserSecrets.open(null, name, published).unusable())
                    .isEqualTo(DigestUserSecrets.Unusable.OTHER_KEY);
            assertThat(DigestUserSecrets.open(PlatformKey.generate(), name, published).ha1s()).isNull();
            assertThat(DigestUserSecrets.open(TestSecrets.key(), name, published).ha1s())
                    .isEqualTo(new DigestUserSecrets.Ha1s(bob.ha1Md5(), bob.ha1Sha256()));
        }
    }

    @Test
    void withoutAKeyFileTheServiceDoesNotStart() {
        assertThatThrownBy(() -> new SpringApplicationBuilder(ProvisioningApplication.class).run(
                "--server.port=0",
                "--spring.datasource.url=" + TestPostgres.jdbcUrl(),
                "--spring.datasource.username=postgres",
                "--spring.datasource.password=postgres",
                "--psip.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                "--psip.schema-registry.url=" + TestKafka.registryUrl()).close())
                .hasStackTraceContaining("psip.secrets.key-file is not set");
    }

    /** The raw record values of {@code key} on psip.domains, as any topic reader gets them. */
    private static List<byte[]> rawValues(String key, int atLeast) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            String topic = Topics.DOMAINS.name();
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<byte[]> values = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (key.equals(r.key())) {
                        values.add(r.value());
                    }
                }
                return values.size() >= atLeast;
            });
            return values;
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
