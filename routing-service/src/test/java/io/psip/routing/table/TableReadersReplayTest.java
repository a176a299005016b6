package io.psip.routing.table;

import io.psip.testsupport.TestKafka;
import io.psip.testsupport.TestSecrets;
import io.psip.events.AccountChanged;
import io.psip.events.ChangeType;
import io.psip.events.DomainChanged;
import io.psip.schemas.Topics;
import io.psip.schemas.crypto.AccountSecrets;
import io.psip.schemas.crypto.DigestUserSecrets.Ha1s;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.serde.AvroSerdeConfig;
import io.psip.schemas.serde.AvroSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Tables built from the real topics are the same however often the log is read from offset 0. */
class TableReadersReplayTest {

    private final String prefix = "replay" + UUID.randomUUID().toString().substring(0, 8);

    @Test
    void readingTheLogAgainFromTheStartGivesTheSameTables() throws Exception {
        try (KafkaProducer<String, DomainChanged> producer = producer()) {
            for (DomainChanged event : List.of(
                    domain("a", 1, ChangeType.CREATED, "10.0.0.0/8"),
                    domain("a", 3, ChangeType.UPDATED, "10.1.0.0/16"),
                    domain("a", 2, ChangeType.UPDATED, "192.0.2.0/24"),
                    domain("b", 1, ChangeType.CREATED, "127.0.0.1"),
                    domain("b", 2, ChangeType.DELETED, "127.0.0.1"),
                    domain("c", 1, ChangeType.CREATED, "127.0.0.1"))) {
                producer.send(new ProducerRecord<>(Topics.DOMAINS.name(), event.getName(), event)).get();
            }
            producer.send(new ProducerRecord<>(Topics.DOMAINS.name(), prefix + "c", null)).get();
        }

        Map<String, String> first = load();
        assertThat(first).containsOnly(Map.entry(prefix + "a", "v3 [10.1.0.0/16]"));

        assertThat(load()).isEqualTo(first);
    }

    @Test
    void accountsAndTheirAllowListsAreReadFromTheAccountsTopic() throws Exception {
        try (KafkaProducer<String, AccountChanged> producer = producer()) {
            for (AccountChanged event : List.of(
                    account("open", 1, ChangeType.CREATED),
                    account("listed", 1, ChangeType.CREATED),
                    account("listed", 3, ChangeType.UPDATED, "127.0.0.16/28:5090", "*.example.com"),
                    account("listed", 2, ChangeType.UPDATED, "127.0.0.0/8"),
                    // an entry routing cannot read must not lift the account's restriction
                    account("unreadable", 1, ChangeType.CREATED, "not a pattern!"))) {
                producer.send(new ProducerRecord<>(Topics.ACCOUNTS.name(), event.getAccountId(), event)).get();
            }
        }
        RoutingTables tables = new RoutingTables();
        assertThat(readAll(tables)).containsEntry(Topics.ACCOUNTS.name(), "caught-up");
        assertThat(tables.account(prefix + "open")).hasValueSatisfying(a -> assertThat(a.restricted()).isFalse());
        assertThat(tables.account(prefix + "listed")).hasValueSatisfying(a -> {
            assertThat(a.version()).isEqualTo(3);
            assertThat(a.restricted()).isTrue();
            assertThat(a.destinationAllow()).extracting(Object::toString)
                    .containsExactly("127.0.0.16/28:5090", "*.example.com");
        });
        assertThat(tables.account(prefix + "unreadable")).hasValueSatisfying(a -> {
            assertThat(a.restricted()).isTrue();
            assertThat(a.destinationAllow()).isEmpty();
        });
    }

    @Test
    void theApiKeyIndexIsTheSameEveryTimeTheAccountsTopicIsRead() throws Exception {
        String rotatedKey = prefix + "-key-2";
        String oldKey = prefix + "-key-1";
        String deletedKey = prefix + "-key-gone";
        try (KafkaProducer<String, AccountChanged> producer = producer()) {
            for (AccountChanged event : List.of(
                    withSipConnect(account("rotating", 1, ChangeType.CREATED), oldKey),
                    withSipConnect(account("rotating", 2, ChangeType.UPDATED), rotatedKey),
                    withSipConnect(account("gone", 1, ChangeType.CREATED), deletedKey),
                    withSipConnect(account("gone", 2, ChangeType.DELETED), deletedKey))) {
                producer.send(new ProducerRecord<>(Topics.ACCOUNTS.name(), event.getAccountId(), event)).get();
            }
        }
        for (int read = 0; read < 2; read++) {
            RoutingTables tables = new RoutingTables();
            readAll(tables);
            assertThat(tables.accountByApiKey(rotatedKey)).hasValueSatisfying(a -> {
                assertThat(a.id()).isEqualTo(prefix + "rotating");
                assertThat(a.sipConnectCredentials()).isPresent();
            });
            assertThat(tables.accountByApiKey(oldKey)).isEmpty();
            assertThat(tables.accountByApiKey(deletedKey)).isEmpty();
        }
    }

    /** The account with an API key and the sealed SIP Connect HA1s of it and a secret, as provisioning sends. */
    private static AccountChanged withSipConnect(AccountChanged account, String apiKey) {
        AccountSecrets.Sealed sealed = AccountSecrets.seal(TestSecrets.key(), account.getAccountId(), apiKey,
                Ha1s.of(apiKey, AccountSecrets.realm("example.com"), "secret"));
        account.setApiKey(apiKey);
        account.setSealedHa1Md5(sealed.md5());
        account.setSealedHa1Sha256(sealed.sha256());
        return account;
    }

    private AccountChanged account(String id, long version, ChangeType type, String... allow) {
        return AccountChanged.newBuilder().setEventId(UUID.randomUUID().toString()).setVersion(version)
                .setOccurredAt(Instant.now()).setChangeType(type).setAccountId(prefix + id)
                .setDestinationAllow(List.of(allow)).build();
    }

    /** A fresh table set read from offset 0 to the end, as a fresh routing instance would. */
    private Map<String, String> load() {
        RoutingTables tables = new RoutingTables();
        readAll(tables);
        Map<String, String> view = new java.util.TreeMap<>();
        for (String name : List.of("a", "b", "c")) {
            tables.domain(prefix + name).ifPresent(d -> view.put(d.name(), "v" + d.version() + " " + d.acl()));
        }
        return view;
    }

    /** Fills {@code tables} from offset 0 to the end of every configuration topic; the readers' status at the end. */
    private static Map<String, String> readAll(RoutingTables tables) {
        try (TableReaders readers = new TableReaders(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, TestKafka.registryUrl()), "replay-test", tables,
                built -> new TableUpdates(built, TestSecrets.key()))) {
            readers.start();
            await().atMost(Duration.ofSeconds(30)).until(readers::caughtUp);
            return readers.status();
        }
    }

    private static <V extends SpecificRecord> KafkaProducer<String, V> producer() {
        new TopicCreator(TestKafka.bootstrapServers()).createAll();
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()),
                new StringSerializer(), new AvroSerializer<>(new SchemaRegistryClient(TestKafka.registryUrl())));
    }

    private DomainChanged domain(String name, long version, ChangeType type, String acl) {
        return DomainChanged.newBuilder().setEventId(UUID.randomUUID().toString()).setVersion(version)
                .setOccurredAt(Instant.now()).setChangeType(type).setName(prefix + name).setAccountId("acct")
                .setApplicationId("app").setAcl(List.of(acl)).setDigestAuth(false).setDigestUsers(List.of())
                .build();
    }
}
