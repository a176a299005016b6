package io.psip.provisioning.account;

import io.psip.events.AccountChanged;
import io.psip.events.ChangeType;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.TopicProbe;
import io.psip.schemas.Topics;
import io.psip.schemas.crypto.AccountSecrets;
import io.psip.testsupport.TestKafka;
import io.psip.testsupport.TestSecrets;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 9 item 6: every AccountChanged carries the account's signature secret sealed under the platform key (bound
 * to the account), so webhook-service can sign; no record, nor the database row, holds it in clear.
 */
class SignatureSecretPublishingTest extends IntegrationTest {

    @Test
    void creationAndRotationPublishTheCurrentSignatureSecretSealed() {
        Http.Response created = admin().post("/v1/admin/accounts", "{}");
        String id = created.json().get("id").asString();
        String first = created.json().get("signature_secret").asString();

        Http.Response rotation = admin().post("/v1/admin/accounts/" + id + "/signature-secret", null);
        assertThat(rotation.status()).isEqualTo(200);
        String second = rotation.json().get("signature_secret").asString();
        assertThat(second).isNotEqualTo(first);

        List<AccountChanged> events = events(id, 2);
        assertThat(events.get(0).getChangeType()).isEqualTo(ChangeType.CREATED);
        assertThat(opened(events.get(0))).isEqualTo(first);
        assertThat(events.get(1).getChangeType()).isEqualTo(ChangeType.UPDATED);
        assertThat(events.get(1).getVersion()).isEqualTo(events.get(0).getVersion() + 1);
        assertThat(opened(events.get(1))).isEqualTo(second);
        assertThat(events.get(1).toString()).doesNotContain(second);
        assertNotInClear(id, 2, first, second);
        String row = jdbc.queryForObject("select a::text from accounts a where id = ?::uuid", String.class, id);
        assertThat(row).as("stored sealed only").doesNotContain(first).doesNotContain(second);
        assertThat(admin().get("/v1/admin/accounts").body()).doesNotContain(second);
    }

    @Test
    void theBootstrapAccountsRecordOfThisStartCarriesIt() {
        String id = admin().get("/v1/account").json().get("id").asString();
        String secret = admin().get("/v1/account").json().get("signature_secret").asString();
        List<AccountChanged> events = events(id, 1);
        assertThat(opened(events.get(events.size() - 1))).isEqualTo(secret);
        assertNotInClear(id, events.size(), secret);
    }

    @Test
    void theRepairRepublishesIt() {
        Http.Response created = admin().post("/v1/admin/accounts", "{}");
        String id = created.json().get("id").asString();
        awaitOutboxDrained();
        assertThat(admin().post("/v1/admin/repair", null).status()).isEqualTo(202);
        AccountChanged snapshot = events(id, 2).get(1);
        assertThat(snapshot.getChangeType()).isEqualTo(ChangeType.SNAPSHOT);
        assertThat(opened(snapshot)).isEqualTo(created.json().get("signature_secret").asString());
    }

    @Test
    void aSecretCopiedToAnotherAccountDoesNotOpen() {
        AccountChanged one = events(admin().post("/v1/admin/accounts", "{}").json().get("id").asString(), 1).get(0);
        String other = admin().post("/v1/admin/accounts", "{}").json().get("id").asString();
        assertThat(AccountSecrets.openSignatureSecret(TestSecrets.key(), other, one.getSealedSignatureSecret()).secret())
                .isNull();
    }

    private static String opened(AccountChanged event) {
        assertThat(event.getSealedSignatureSecret().getKeyId()).isEqualTo(TestSecrets.key().id());
        return AccountSecrets.openSignatureSecret(TestSecrets.key(), event.getAccountId(),
                event.getSealedSignatureSecret()).secret();
    }

    private static List<AccountChanged> events(String id, int atLeast) {
        try (TopicProbe accounts = new TopicProbe(Topics.ACCOUNTS.name())) {
            return await().atMost(Duration.ofSeconds(60))
                    .until(() -> accounts.<AccountChanged>poll(id), l -> l.size() >= atLeast)
                    .stream().map(ConsumerRecord::value).toList();
        }
    }

    /** The raw record values of the account, as any topic reader gets them, hold none of the secrets (ASCII hex). */
    private static void assertNotInClear(String id, int records, String... secrets) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()),
                new StringDeserializer(), new ByteArrayDeserializer())) {
            String topic = Topics.ACCOUNTS.name();
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<String> values = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (id.equals(r.key())) {
                        values.add(new String(r.value(), StandardCharsets.ISO_8859_1));
                    }
                }
                return values.size() >= records;
            });
            for (String value : values) {
                assertThat(value).contains(id);
                for (String secret : secrets) {
                    assertThat(value).doesNotContain(secret);
                }
            }
        }
    }
}
