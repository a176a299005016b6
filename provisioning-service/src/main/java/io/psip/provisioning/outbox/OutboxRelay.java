package io.psip.provisioning.outbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.psip.provisioning.PsipProperties;
import io.psip.schemas.Topic;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.registry.SchemaRegistryException;
import io.psip.schemas.serde.PsipEventsTrust;
import org.apache.avro.Schema;
import org.apache.avro.SchemaParseException;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Publishes pending outbox rows in id order with an idempotent producer and marks them published. Each row's
 * stored bytes go out as written, framed with the registry id of the schema they were written with
 * (outbox_schemas), so a row written before an upgrade is published unchanged after it. Only the unbroken prefix
 * of a batch that is dealt with is marked; after a transient failure (broker or registry unreachable, a timeout)
 * the producer is closed at once (dropping what it still buffers) and the rest is sent again, so an event is never
 * lost and a key never skips a version (a repeat is possible; consumers drop it by version). While Kafka or the
 * registry is down rows simply stay pending.
 *
 * <p>A row that can never be published (unknown topic, bytes that do not decode with their writer schema, a
 * writer schema the registry refuses, a record the broker refuses as too large) is set aside with its reason
 * instead, counted and logged once, so it no longer blocks the rows behind it. Later rows of its key are still
 * published: each is a full snapshot with a newer version, so the key heals; {@link OutboxAdmin#retry} puts a
 * set-aside row back only while no newer version of its key has been published.
 *
 * <p>A transaction-scoped advisory lock makes one relay publish at a time when several instances share the
 * database.
 */
@Component
public class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final long RELAY_LOCK = 0x7073_6970_6f62L;
    private static final Duration MIN_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final Duration CLEANUP_INTERVAL = Duration.ofHours(1);
    private static final List<Topic<?>> TOPICS = Topics.configurationTopics();
    private static final byte MAGIC_BYTE = 0; // Confluent wire format: magic, 4-byte schema id, Avro binary
    private static final int MAX_REASON_LENGTH = 1_000;

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final OutboxSignal signal;
    private final PsipProperties props;
    private final SchemaRegistryClient registry;
    private final Counter setAsideCount;
    private final Map<String, Topic<?>> topics = new HashMap<>();
    private final Map<Long, Schema> writerSchemas = new HashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private volatile boolean running;
    private Thread thread;
    private Producer<String, byte[]> producer;
    private boolean topicsCreated;
    private Instant nextCleanup = Instant.EPOCH;

    public OutboxRelay(JdbcTemplate jdbc, TransactionTemplate tx, OutboxSignal signal, PsipProperties props,
                       MeterRegistry meters) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.signal = signal;
        this.props = props;
        // Avro refuses to load generated classes it has not been told to trust (process-wide: the account
        // secrets' SealedSecret decoding relies on it too)
        PsipEventsTrust.install();
        this.registry = new SchemaRegistryClient(props.schemaRegistry().url());
        this.setAsideCount = Counter.builder("psip.outbox.set_aside")
                .description("Outbox rows set aside because they can never be published")
                .register(meters);
        TOPICS.forEach(t -> topics.put(t.name(), t));
    }

    @Override
    public synchronized void start() {
        running = true;
        thread = new Thread(this::run, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public synchronized void stop() {
        running = false;
        stopped.countDown();
        signal.wake();
        if (thread != null) {
            try {
                thread.join(2_000);
                if (thread.isAlive()) {
                    // stuck waiting for an absent broker; unpublished rows simply stay pending
                    thread.interrupt();
                    thread.join(3_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Number of rows not yet published and not set aside (for tests and operators). */
    public long pending() {
        return jdbc.queryForObject("select count(*) from outbox where published_at is null and set_aside_at is null",
                Long.class);
    }

    /** Number of rows set aside and not retried. */
    public long setAside() {
        return jdbc.queryForObject("select count(*) from outbox where set_aside_at is not null", Long.class);
    }

    private void run() {
        Duration backoff = MIN_BACKOFF;
        while (running) {
            try {
                ensureTopics();
                int done = publishBatch();
                backoff = MIN_BACKOFF;
                if (done == 0) {
                    deleteOldRows();
                    signal.await(props.outbox().pollInterval());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                log.warn("outbox relay: {}; retrying in {} ms", e.toString(), backoff.toMillis());
                closeProducer(Duration.ZERO);
                try {
                    if (stopped.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                        break;
                    }
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
        closeProducer(Duration.ofSeconds(5));
    }

    /** At most hourly, when idle: published rows older than the retention go (set-aside rows stay). */
    private void deleteOldRows() {
        Instant now = Instant.now();
        if (now.isBefore(nextCleanup)) {
            return;
        }
        nextCleanup = now.plus(CLEANUP_INTERVAL);
        int deleted = jdbc.update("delete from outbox where published_at < ?",
                Timestamp.from(now.minus(props.outbox().retention())));
        if (deleted > 0) {
            log.info("deleted {} outbox rows published more than {} ago", deleted, props.outbox().retention());
        }
    }

    private void ensureTopics() {
        if (!topicsCreated) {
            new TopicCreator(props.kafka().bootstrapServers()).create(TOPICS.stream().map(Topic::name).toList());
            topicsCreated = true;
        }
    }

    private record Row(long id, String topic, String key, byte[] payload, Long schemaFingerprint) {
    }

    private record SetAside(Row row, String reason) {
    }

    private record Batch(int done, List<SetAside> setAside, RuntimeException failure) {
    }

    /** A row that can never be published as it is; the message is the reason recorded with it. */
    private static final class Unpublishable extends Exception {

        Unpublishable(String reason) {
            super(reason, null, false, false);
        }
    }

    private int publishBatch() {
        Batch batch = tx.execute(status -> {
            Boolean locked = jdbc.queryForObject("select pg_try_advisory_xact_lock(?)", Boolean.class, RELAY_LOCK);
            if (!Boolean.TRUE.equals(locked)) {
                return new Batch(0, List.of(), null);
            }
            List<Row> rows = jdbc.query("""
                            select id, topic, message_key, payload, schema_fingerprint from outbox
                            where published_at is null and set_aside_at is null order by id limit ?""",
                    (rs, i) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBytes(4),
                            rs.getObject(5, Long.class)),
                    props.outbox().batchSize());
            if (rows.isEmpty()) {
                return new Batch(0, List.of(), null);
            }
            List<Long> published = new ArrayList<>();
            List<SetAside> setAside = new ArrayList<>();
            RuntimeException failure = send(rows, published, setAside);
            if (!published.isEmpty()) {
                jdbc.update("update outbox set published_at = now() where id = any(?)",
                        (Object) published.toArray(new Long[0]));
            }
            for (SetAside aside : setAside) {
                jdbc.update("update outbox set set_aside_at = now(), set_aside_reason = ? where id = ?",
                        aside.reason(), aside.row().id());
            }
            return new Batch(published.size() + setAside.size(), setAside, failure);
        });
        for (SetAside aside : batch.setAside()) {
            setAsideCount.increment();
            log.warn("outbox row {} ({} key {}) set aside, it can never be published: {}", aside.row().id(),
                    aside.row().topic(), aside.row().key(), aside.reason());
        }
        if (batch.failure() != null) {
            throw batch.failure();
        }
        return batch.done();
    }

    /** A row handed to the producer ({@code future}) or found unpublishable before ({@code reason}). */
    private record Sent(Row row, Future<RecordMetadata> future, String reason) {
    }

    /**
     * Sends the rows in order; adds the ids of the prefix the broker acknowledged to {@code published} and the
     * unpublishable rows of that prefix to {@code setAside}. Returns the transient failure that ended it, if any.
     */
    private RuntimeException send(List<Row> rows, List<Long> published, List<SetAside> setAside) {
        List<Sent> sent = new ArrayList<>(rows.size());
        RuntimeException failure = null;
        Producer<String, byte[]> producer = producer();
        for (Row row : rows) {
            try {
                Future<RecordMetadata> future = producer.send(new ProducerRecord<>(row.topic(), row.key(), framed(row)));
                Throwable failed = future.isDone() ? transientFailure(future) : null;
                if (failed != null) {
                    // the metadata wait already failed: the broker is away, the following sends would wait too
                    failure = new IllegalStateException("send failed: " + failed, failed);
                    break;
                }
                sent.add(new Sent(row, future, null));
            } catch (Unpublishable e) {
                sent.add(new Sent(row, null, e.getMessage()));
            } catch (RuntimeException e) {
                failure = e;
                break;
            }
        }
        long deadline = System.nanoTime() + props.outbox().sendTimeout().toNanos();
        for (Sent s : sent) {
            if (s.reason() != null) {
                setAside.add(new SetAside(s.row(), s.reason()));
                continue;
            }
            try {
                s.future().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                published.add(s.row().id());
            } catch (ExecutionException e) {
                if (refusedForGood(e.getCause())) {
                    setAside.add(new SetAside(s.row(), reason("Kafka refused the record: " + e.getCause())));
                    continue;
                }
                return new IllegalStateException("send of outbox row " + s.row().id() + " failed: " + e.getCause(), e);
            } catch (TimeoutException e) {
                return new IllegalStateException("send of outbox row " + s.row().id() + " failed: " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new IllegalStateException("interrupted", e);
            }
        }
        return failure;
    }

    /**
     * The cause of a completed send's failure, unless it is one of the record's own ({@link #refusedForGood}),
     * which the second pass sets aside.
     */
    private static Throwable transientFailure(Future<RecordMetadata> done) {
        try {
            done.get();
            return null;
        } catch (ExecutionException e) {
            return refusedForGood(e.getCause()) ? null : e.getCause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e;
        }
    }

    /** Failures of the record itself, which sending it again cannot cure. */
    private static boolean refusedForGood(Throwable cause) {
        return cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException
                || cause instanceof InvalidTopicException;
    }

    /**
     * The row's value in the Confluent wire format: its stored bytes, checked to decode with the schema they were
     * written with, after that schema's registry id under the topic's subject. A row without a fingerprint was
     * written by the release before V5 (before the migration, or by one of its instances during a rolling
     * upgrade), with the topic's schema V5 recorded in outbox_legacy_schemas. Null for a tombstone.
     */
    private byte[] framed(Row row) throws Unpublishable {
        Topic<?> topic = topics.get(row.topic());
        if (topic == null) {
            throw new Unpublishable("unknown topic " + row.topic());
        }
        if (row.payload() == null) {
            return null;
        }
        Schema writer = writerSchema(row.schemaFingerprint() != null ? row.schemaFingerprint() : legacyFingerprint(topic));
        checkDecodes(writer, row.payload());
        int id;
        try {
            // the client caches the id per (subject, schema): the registry sees each writer schema once
            id = registry.register(topic.valueSubject(), writer);
        } catch (SchemaRegistryException e) {
            if (e.status() == 409 || e.status() == 422) {
                throw new Unpublishable(reason("the schema registry refused the writer schema: " + e.getMessage()));
            }
            throw e;
        }
        byte[] framed = new byte[5 + row.payload().length];
        ByteBuffer.wrap(framed).put(MAGIC_BYTE).putInt(id).put(row.payload());
        return framed;
    }

    private long legacyFingerprint(Topic<?> topic) throws Unpublishable {
        List<Long> fingerprint = jdbc.queryForList("select fingerprint from outbox_legacy_schemas where topic = ?",
                Long.class, topic.name());
        if (fingerprint.isEmpty()) {
            throw new Unpublishable("it has no writer schema and " + topic.name() + " had none before V5");
        }
        return fingerprint.get(0);
    }

    private Schema writerSchema(long fingerprint) throws Unpublishable {
        Schema schema = writerSchemas.get(fingerprint);
        if (schema == null) {
            String json = jdbc.queryForObject("select schema_json from outbox_schemas where fingerprint = ?",
                    String.class, fingerprint);
            try {
                schema = new Schema.Parser().parse(json);
            } catch (SchemaParseException e) {
                throw new Unpublishable(reason("its writer schema does not parse: " + e.getMessage()));
            }
            writerSchemas.put(fingerprint, schema);
        }
        return schema;
    }

    /** Consumers must be able to decode what is published: the whole payload, nothing left over. */
    private static void checkDecodes(Schema writer, byte[] payload) throws Unpublishable {
        try {
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(payload, null);
            new GenericDatumReader<>(writer).read(null, decoder);
            if (!decoder.isEnd()) {
                throw new Unpublishable("its payload has bytes after the " + writer.getFullName() + " record");
            }
        } catch (IOException | RuntimeException e) {
            throw new Unpublishable(reason("its payload does not decode as " + writer.getFullName()
                    + " with its writer schema: " + e));
        }
    }

    private static String reason(String reason) {
        return reason.length() <= MAX_REASON_LENGTH ? reason : reason.substring(0, MAX_REASON_LENGTH);
    }

    private Producer<String, byte[]> producer() {
        if (producer == null) {
            Duration sendTimeout = props.outbox().sendTimeout();
            Map<String, Object> config = new HashMap<>();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, props.kafka().bootstrapServers());
            config.put(ProducerConfig.CLIENT_ID_CONFIG, "provisioning-outbox");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
            // No linger: a change is usually one record, so waiting only delays it; the rows of a larger batch
            // still share requests while earlier ones are in flight.
            config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000);
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(5_000, sendTimeout.toMillis() / 2));
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) sendTimeout.toMillis());
            producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }

    private void closeProducer(Duration timeout) {
        if (producer != null) {
            try {
                producer.close(timeout);
            } catch (RuntimeException e) {
                log.debug("closing producer: {}", e.toString());
            }
            producer = null;
        }
    }
}
