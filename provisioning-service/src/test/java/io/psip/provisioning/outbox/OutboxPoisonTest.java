package io.psip.provisioning.outbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.psip.events.DomainChanged;
import io.psip.provisioning.Fixtures;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.TopicProbe;
import io.psip.schemas.Topics;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 10 item 3: rows that can never be published (bytes that do not decode, an unknown topic, a writer schema
 * the registry refuses, a record too large for Kafka) are set aside, counted and listed, while the rows behind them
 * keep publishing; an operator retry puts one back, unless a newer version of its key was published meanwhile.
 */
class OutboxPoisonTest extends IntegrationTest {

    private static final Schema CURRENT = DomainChanged.getClassSchema();

    @Autowired
    private MeterRegistry meters;

    @Test
    void poisonRowsAreSetAsideWhileOtherKeysKeepPublishing() throws IOException {
        Http api = admin();
        String app = createApplication(api);
        String healthy = createDomain(api, app);
        awaitOutboxDrained(); // the subject now has a version, so the registry checks what comes next
        double countedBefore = meters.get("psip.outbox.set_aside").counter().count();
        GenericRecord template = decode(jdbc.queryForObject(
                "select payload from outbox where message_key = ? order by id limit 1", byte[].class, healthy));

        String truncatedKey = Fixtures.uniqueDomain("trunc");
        byte[] whole = encode(CURRENT, copy(template, CURRENT, truncatedKey, 1));
        long truncated = insert(Topics.DOMAINS.name(), truncatedKey, Arrays.copyOf(whole, whole.length - 2), CURRENT, 1);
        long unknownTopic = insert("psip.nowhere", truncatedKey, whole, CURRENT, 1);
        Schema breaking = withRequiredField(CURRENT);
        String breakingKey = Fixtures.uniqueDomain("breaking");
        GenericRecord tiered = copy(template, breaking, breakingKey, 1);
        tiered.put("tenant_tier", "gold");
        long refused = insert(Topics.DOMAINS.name(), breakingKey, encode(breaking, tiered), breaking, 1);
        String largeKey = Fixtures.uniqueDomain("large");
        GenericRecord large = copy(template, CURRENT, largeKey, 1);
        List<String> acl = new ArrayList<>();
        for (int i = 0; i < 60_000; i++) {
            acl.add("198.51.100." + (i % 256) + "/32-" + i); // 1.2 MB: more than the producer's max.request.size
        }
        large.put("acl", acl);
        long tooLarge = insert(Topics.DOMAINS.name(), largeKey, encode(CURRENT, large), CURRENT, 1);
        // a key whose first row is poison and whose next change follows it
        String healedKey = Fixtures.uniqueDomain("healed");
        byte[] healedV1 = encode(CURRENT, copy(template, CURRENT, healedKey, 1));
        long stale = insert(Topics.DOMAINS.name(), healedKey, Arrays.copyOf(healedV1, 3), CURRENT, 1);
        insert(Topics.DOMAINS.name(), healedKey, encode(CURRENT, copy(template, CURRENT, healedKey, 2)), CURRENT, 2);
        // and an ordinary change of another key behind all of them
        assertThat(api.put("/v1/psip/" + healthy, Fixtures.domain(healthy, app, "203.0.113.77")).status()).isEqualTo(201);

        awaitOutboxDrained();
        assertThat(reason(truncated)).contains("does not decode");
        assertThat(reason(unknownTopic)).contains("unknown topic psip.nowhere");
        assertThat(reason(refused)).contains("refused the writer schema").contains("409");
        assertThat(reason(tooLarge)).contains("RecordTooLargeException");
        assertThat(reason(stale)).contains("does not decode");
        assertThat(meters.get("psip.outbox.set_aside").counter().count()).isGreaterThanOrEqualTo(countedBefore + 5);
        assertThat(meters.get("psip.outbox.set_aside.rows").gauge().value()).isGreaterThanOrEqualTo(5);

        try (TopicProbe domains = new TopicProbe(Topics.DOMAINS.name())) {
            List<ConsumerRecord<String, DomainChanged>> changed = await().atMost(Duration.ofSeconds(60))
                    .until(() -> domains.<DomainChanged>poll(healthy), l -> l.size() >= 2);
            assertThat(changed.get(1).value().getAcl()).containsExactly("203.0.113.77/32");
            List<ConsumerRecord<String, DomainChanged>> healed = await().atMost(Duration.ofSeconds(60))
                    .until(() -> domains.<DomainChanged>poll(healedKey), l -> !l.isEmpty());
            assertThat(healed).extracting(r -> r.value().getVersion()).containsExactly(2L);
            assertThat(domains.poll(truncatedKey)).isEmpty();
        }

        JsonNode listed = admin().get("/v1/admin/outbox").json();
        assertThat(listed.get("set_aside").asLong()).isGreaterThanOrEqualTo(5);
        assertThat(listed.has("pending")).isTrue();
        List<Long> ids = new ArrayList<>();
        listed.get("rows").forEach(row -> ids.add(row.get("id").asLong()));
        assertThat(ids).contains(truncated, unknownTopic, refused, tooLarge, stale);
        JsonNode first = listed.get("rows").get(0);
        assertThat(first.get("topic").asString()).isNotBlank();
        assertThat(first.get("key").asString()).isNotBlank();
        assertThat(first.get("reason").asString()).isNotBlank();
        assertThat(first.get("set_aside_at").asString()).endsWith("Z");

        // the newer version of healedKey is out: the stale row would overwrite it on the compacted topic
        assertThat(admin().post("/v1/admin/outbox/" + stale + "/retry", null).status()).isEqualTo(409);
        // not set aside: nothing to retry
        long published = jdbc.queryForObject("select max(id) from outbox where published_at is not null", Long.class);
        assertThat(admin().post("/v1/admin/outbox/" + published + "/retry", null).status()).isEqualTo(404);
        // an operator restores the truncated row from a backup and retries it: it is published
        jdbc.update("update outbox set payload = ? where id = ?", whole, truncated);
        Http.Response retried = admin().post("/v1/admin/outbox/" + truncated + "/retry", null);
        assertThat(retried.status()).isEqualTo(200);
        awaitOutboxDrained();
        assertThat(jdbc.queryForObject("select published_at is not null from outbox where id = ?", Boolean.class, truncated))
                .isTrue();
        try (TopicProbe domains = new TopicProbe(Topics.DOMAINS.name())) {
            List<ConsumerRecord<String, DomainChanged>> restored = await().atMost(Duration.ofSeconds(60))
                    .until(() -> domains.<DomainChanged>poll(truncatedKey), l -> !l.isEmpty());
            assertThat(restored.get(0).value().getName()).isEqualTo(truncatedKey);
        }
        assertThat(admin().get("/v1/admin/outbox").json().get("rows").findValues("id").stream().map(JsonNode::asLong))
                .doesNotContain(truncated);
        // admin accounts only
        assertThat(newTenant().get("/v1/admin/outbox").status()).isEqualTo(403);
    }

    private String reason(long id) {
        return jdbc.queryForObject("select set_aside_reason from outbox where id = ? and set_aside_at is not null",
                String.class, id);
    }

    /** A row as a writer of {@code schema} would have stored it. */
    private long insert(String topic, String key, byte[] payload, Schema schema, long version) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
        jdbc.update("insert into outbox_schemas (fingerprint, schema_json) values (?, ?) on conflict do nothing",
                fingerprint, schema.toString());
        return jdbc.queryForObject("""
                insert into outbox (topic, message_key, payload, schema_fingerprint, aggregate_version)
                values (?, ?, ?, ?, ?) returning id""", Long.class, topic, key, payload, fingerprint, version);
    }

    /** DomainChanged with a new field that has no default: BACKWARD_TRANSITIVE refuses it. */
    private static Schema withRequiredField(Schema schema) {
        List<Schema.Field> fields = new ArrayList<>();
        schema.getFields().forEach(f -> fields.add(new Schema.Field(f, f.schema())));
        fields.add(new Schema.Field("tenant_tier", Schema.create(Schema.Type.STRING)));
        return Schema.createRecord(schema.getName(), schema.getDoc(), schema.getNamespace(), false, fields);
    }

    private static GenericRecord copy(GenericRecord template, Schema schema, String name, long version) {
        GenericData.Record copy = new GenericData.Record(schema);
        template.getSchema().getFields().forEach(f -> copy.put(f.name(), template.get(f.name())));
        copy.put("name", name);
        copy.put("version", version);
        return copy;
    }

    private static GenericRecord decode(byte[] payload) throws IOException {
        return new GenericDatumReader<GenericRecord>(CURRENT).read(null, DecoderFactory.get().binaryDecoder(payload, null));
    }

    private static byte[] encode(Schema schema, GenericRecord record) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
