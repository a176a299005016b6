package io.psip.provisioning.outbox;

import io.psip.schemas.Topic;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes events into the outbox table inside the caller's transaction, so a change and its event commit (or
 * roll back) together. The value is stored as plain Avro binary with the fingerprint of the schema it was written
 * with (the schema itself goes into {@code outbox_schemas} once): writing needs neither the broker nor the
 * registry, and the relay frames the stored bytes with that schema's registry id, so a row written before an
 * upgrade is published exactly as written after it.
 */
@Component
public class Outbox {

    private final JdbcTemplate jdbc;
    private final OutboxSignal signal;
    private final Map<Schema, Long> fingerprints = new ConcurrentHashMap<>();
    /** Fingerprints whose outbox_schemas row is known to be committed. */
    private final Set<Long> stored = ConcurrentHashMap.newKeySet();

    public Outbox(JdbcTemplate jdbc, OutboxSignal signal) {
        this.jdbc = jdbc;
        this.signal = signal;
    }

    /**
     * The next version of an aggregate (1 for a new one). The row lock it takes serialises concurrent changes of
     * one aggregate until the transaction ends; the counter survives deletes, so a re-created aggregate
     * continues the sequence.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public long nextVersion(Topic<?> topic, String key) {
        return jdbc.queryForObject("""
                insert into aggregate_versions (topic, aggregate_key, version) values (?, ?, 1)
                on conflict (topic, aggregate_key) do update set version = aggregate_versions.version + 1
                returning version""", Long.class, topic.name(), key);
    }

    /**
     * Locks the version counter of every existing aggregate of {@code topic} until the transaction ends, so no
     * change of them can commit meanwhile, and one in progress finishes first (its outbox row then precedes
     * whatever the caller writes). Returns the locked counters, key to last version: with the lock held, a key
     * whose aggregate is gone stays deleted until the caller commits (re-creating it needs its counter).
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Map<String, Long> lockAllVersions(Topic<?> topic) {
        Map<String, Long> versions = new LinkedHashMap<>();
        jdbc.query("select aggregate_key, version from aggregate_versions where topic = ? order by aggregate_key for update",
                rs -> {
                    versions.put(rs.getString(1), rs.getLong(2));
                }, topic.name());
        return versions;
    }

    /** Records a value event for {@code key}. */
    @Transactional(propagation = Propagation.MANDATORY)
    public <V extends SpecificRecord> void append(Topic<V> topic, String key, V value, long version) {
        insert(topic, key, encode(value), writerSchema(value.getSchema()), version);
    }

    /** Records a tombstone, so that compaction eventually removes the key. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void appendTombstone(Topic<?> topic, String key, long version) {
        insert(topic, key, null, null, version);
    }

    /**
     * The fingerprint of {@code schema}, whose outbox_schemas row the first transaction that needs it writes. It
     * counts as stored only once that transaction has committed: a first writer that rolls back must not leave
     * later rows pointing at a schema row that never was.
     */
    private long writerSchema(Schema schema) {
        long fingerprint = fingerprints.computeIfAbsent(schema, SchemaNormalization::parsingFingerprint64);
        if (!stored.contains(fingerprint)) {
            jdbc.update("insert into outbox_schemas (fingerprint, schema_json) values (?, ?) on conflict do nothing",
                    fingerprint, schema.toString());
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void afterCommit() {
                    stored.add(fingerprint);
                }
            });
        }
        return fingerprint;
    }

    private void insert(Topic<?> topic, String key, byte[] payload, Long schemaFingerprint, long version) {
        jdbc.update("""
                insert into outbox (topic, message_key, payload, schema_fingerprint, aggregate_version)
                values (?, ?, ?, ?, ?)""", topic.name(), key, payload, schemaFingerprint, version);
        signal.wakeAfterCommit();
    }

    @SuppressWarnings("unchecked")
    private static <V extends SpecificRecord> byte[] encode(V value) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            new SpecificDatumWriter<V>((Class<V>) value.getClass()).write(value, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
