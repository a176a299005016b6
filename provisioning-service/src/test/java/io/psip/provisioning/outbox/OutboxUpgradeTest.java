package io.psip.provisioning.outbox;

import io.psip.events.ChangeType;
import io.psip.events.DigestUser;
import io.psip.events.DomainChanged;
import io.psip.schemas.Topics;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.serde.AvroDeserializer;
import io.psip.schemas.serde.PsipEventsTrust;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10 item 3: rows still pending when a new build starts, written by the old build with an older
 * DomainChanged (v1, clear digest HA1s), are published exactly as written under v1's registry id, and decode in a
 * current consumer; a row without a writer schema (written by the release before V5, whose DomainChanged is v2)
 * goes out under v2's id, as V5 recorded for it. The old
 * deployment is an {@link IsolatedPlatform}: its v1 registration and v1-framed records reach no other test.
 */
class OutboxUpgradeTest {

    private static final String TOPIC = Topics.DOMAINS.name();

    static {
        PsipEventsTrust.install(); // this test builds a DomainChanged before any serde has installed it
    }

    @Test
    void rowsPendingAcrossAnUpgradeArePublishedWithTheSchemaTheyWereWrittenWith() throws IOException {
        try (IsolatedPlatform platform = new IsolatedPlatform()) {
            SchemaRegistryClient client = new SchemaRegistryClient(platform.startRegistry().url());
            Schema v1 = history("DomainChanged", 1);
            int v1Id = client.register(Topics.DOMAINS.valueSubject(), v1); // as the old build's relay did

            // the old build's database, with rows its relay had not published yet
            JdbcTemplate jdbc = platform.migratedDatabase();
            String old = "old-" + UUID.randomUUID().toString().substring(0, 8);
            byte[] created = encode(v1, v1Domain(v1, old, 1, "CREATED", List.of("192.0.2.1/32"), List.of()));
            byte[] updated = encode(v1, v1Domain(v1, old, 2, "UPDATED", List.of("192.0.2.2/32"), List.of("desk")));
            long v1Fingerprint = SchemaNormalization.parsingFingerprint64(v1);
            jdbc.update("insert into outbox_schemas (fingerprint, schema_json) values (?, ?)", v1Fingerprint, v1.toString());
            insert(jdbc, old, created, v1Fingerprint, 1);
            insert(jdbc, old, updated, v1Fingerprint, 2);
            // and one without a writer schema, as the release before V5 wrote them (DomainChanged v2)
            Schema v2 = history("DomainChanged", 2);
            String legacy = "legacy-" + UUID.randomUUID().toString().substring(0, 8);
            byte[] legacyPayload = encode(v2, new GenericRecordBuilder(v2)
                    .set("event_id", UUID.randomUUID().toString())
                    .set("version", 1L)
                    .set("occurred_at", System.currentTimeMillis())
                    .set("change_type", new GenericData.EnumSymbol(v2.getField("change_type").schema(), "CREATED"))
                    .set("name", legacy)
                    .set("account_id", UUID.randomUUID().toString())
                    .build());
            insert(jdbc, legacy, legacyPayload, null, 1);

            try (ConfigurableApplicationContext upgraded = platform.startService()) {
                OutboxRelay relay = upgraded.getBean(OutboxRelay.class);
                await().atMost(Duration.ofSeconds(60)).until(() -> relay.pending() == 0);
                assertThat(relay.setAside()).isZero();

                List<ConsumerRecord<String, byte[]>> records = platform.records(TOPIC);
                List<ConsumerRecord<String, byte[]>> olds = records.stream().filter(r -> r.key().equals(old)).toList();
                assertThat(olds).hasSize(2);
                assertThat(olds).allSatisfy(r -> assertThat(schemaId(r.value())).isEqualTo(v1Id));
                assertThat(payload(olds.get(0).value())).isEqualTo(created);
                assertThat(payload(olds.get(1).value())).isEqualTo(updated);

                // a consumer of this build reads them through the registry
                try (AvroDeserializer<DomainChanged> current = new AvroDeserializer<>(client, DomainChanged.class)) {
                    DomainChanged first = current.deserialize(TOPIC, olds.get(0).value());
                    DomainChanged second = current.deserialize(TOPIC, olds.get(1).value());
                    assertThat(first.getVersion()).isEqualTo(1);
                    assertThat(first.getChangeType()).isEqualTo(ChangeType.CREATED);
                    assertThat(second.getVersion()).isEqualTo(2);
                    assertThat(second.getAcl()).containsExactly("192.0.2.2/32");
                    assertThat(second.getDigestUsers()).extracting(DigestUser::getUsername).containsExactly("desk");
                    // v1's clear HA1s are not part of the current schema: the user is unusable until a repair
                    assertThat(second.getDigestUsers().get(0).getSealedHa1Md5()).isNull();

                    ConsumerRecord<String, byte[]> legacyRecord = records.stream()
                            .filter(r -> r.key().equals(legacy)).findFirst().orElseThrow();
                    assertThat(schemaId(legacyRecord.value()))
                            .isEqualTo(client.lookup(Topics.DOMAINS.valueSubject(), v2));
                    assertThat(payload(legacyRecord.value())).isEqualTo(legacyPayload);
                    DomainChanged legacyDomain = current.deserialize(TOPIC, legacyRecord.value());
                    assertThat(legacyDomain.getName()).isEqualTo(legacy);
                    assertThat(legacyDomain.getAllowedCallers()).isEmpty();
                }
            }
        }
    }

    private static int schemaId(byte[] framed) {
        assertThat(framed[0]).isZero();
        return ByteBuffer.wrap(framed, 1, 4).getInt();
    }

    private static byte[] payload(byte[] framed) {
        return Arrays.copyOfRange(framed, 5, framed.length);
    }

    private static void insert(JdbcTemplate jdbc, String key, byte[] payload, Long fingerprint, long version) {
        jdbc.update("""
                insert into outbox (topic, message_key, payload, schema_fingerprint, aggregate_version)
                values (?, ?, ?, ?, ?)""", TOPIC, key, payload, fingerprint, version);
    }

    /** A DomainChanged as the v1 build wrote it. */
    private static GenericRecord v1Domain(Schema v1, String name, long version, String change, List<String> acl,
                                          List<String> users) {
        Schema user = v1.getField("digest_users").schema().getElementType();
        List<GenericRecord> digestUsers = users.stream().map(u -> (GenericRecord) new GenericRecordBuilder(user)
                .set("username", u).set("ha1_md5", "0".repeat(32)).set("ha1_sha256", "0".repeat(64)).build()).toList();
        return new GenericRecordBuilder(v1)
                .set("event_id", UUID.randomUUID().toString())
                .set("version", version)
                .set("occurred_at", System.currentTimeMillis())
                .set("change_type", new GenericData.EnumSymbol(v1.getField("change_type").schema(), change))
                .set("name", name)
                .set("account_id", UUID.randomUUID().toString())
                .set("acl", acl)
                .set("digest_auth", !users.isEmpty())
                .set("digest_users", digestUsers)
                .build();
    }

    private static Schema history(String name, int version) throws IOException {
        try (InputStream in = OutboxUpgradeTest.class.getResourceAsStream("/avro-history/" + name + "/v" + version + ".avsc")) {
            return new Schema.Parser().parse(in);
        }
    }

    private static byte[] encode(Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
