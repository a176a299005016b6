package io.psip.provisioning.outbox;

import io.psip.schemas.Topic;
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

/**
 * Writes events into the outbox table inside the caller's transaction, so a change and its event commit (or
 * roll back) together. The value is stored as plain Avro binary: writing needs neither the broker nor the
 * registry; the relay adds the Confluent framing when it publishes.
 */
@Component
public class Outbox {

    private final JdbcTemplate jdbc;
    private final OutboxSignal signal;

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
     * whatever the caller writes).
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void lockAllVersions(Topic<?> topic) {
        jdbc.query("select 1 from aggregate_versions where topic = ? for update", rs -> {
        }, topic.name());
    }

    /** Records a value event for {@code key}. */
    @Transactional(propagation = Propagation.MANDATORY)
    public <V extends SpecificRecord> void append(Topic<V> topic, String key, V value, long version) {
        insert(topic, key, encode(value), version);
    }

    /** Records a tombstone, so that compaction eventually removes the key. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void appendTombstone(Topic<?> topic, String key, long version) {
        insert(topic, key, null, version);
    }

    private void insert(Topic<?> topic, String key, byte[] payload, long version) {
        jdbc.update("insert into outbox (topic, message_key, payload, aggregate_version) values (?, ?, ?, ?)",
                topic.name(), key, payload, version);
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                signal.wake();
            }
        });
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
