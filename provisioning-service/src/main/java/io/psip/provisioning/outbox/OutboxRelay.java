package io.psip.provisioning.outbox;

import io.psip.provisioning.PsipProperties;
import io.psip.schemas.Topic;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.schemas.serde.AvroSerdeConfig;
import io.psip.schemas.serde.AvroSerializer;
import io.psip.schemas.serde.PsipEventsTrust;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.io.IOException;
import java.io.UncheckedIOException;
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
 * Publishes pending outbox rows in id order with an idempotent producer and marks them published. Only the
 * unbroken prefix of a batch that the broker acknowledged is marked; after any failure the producer is closed
 * at once (dropping what it still buffers) and the rest is sent again, so an event is never lost and a key
 * never skips a version (a repeat is possible; consumers drop it by version). While Kafka or the registry is
 * down rows simply stay pending. A transaction-scoped advisory lock makes one relay publish at a time when
 * several instances share the database.
 */
@Component
public class OutboxRelay implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final long RELAY_LOCK = 0x7073_6970_6f62L;
    private static final Duration MIN_BACKOFF = Duration.ofMillis(250);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    private static final Duration CLEANUP_INTERVAL = Duration.ofHours(1);
    private static final List<Topic<?>> TOPICS = Topics.configurationTopics();

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final OutboxSignal signal;
    private final PsipProperties props;
    private final Map<String, SpecificDatumReader<? extends SpecificRecord>> readers = new HashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private volatile boolean running;
    private Thread thread;
    private Producer<String, SpecificRecord> producer;
    private boolean topicsCreated;
    private Instant nextCleanup = Instant.EPOCH;

    public OutboxRelay(JdbcTemplate jdbc, TransactionTemplate tx, OutboxSignal signal, PsipProperties props) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.signal = signal;
        this.props = props;
        PsipEventsTrust.install(); // Avro refuses to load generated classes it has not been told to trust
        TOPICS.forEach(t -> readers.put(t.name(), new SpecificDatumReader<>(t.valueType())));
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

    /** Number of rows not yet published (for tests and operators). */
    public long pending() {
        return jdbc.queryForObject("select count(*) from outbox where published_at is null", Long.class);
    }

    private void run() {
        Duration backoff = MIN_BACKOFF;
        while (running) {
            try {
                ensureTopics();
                int published = publishBatch();
                backoff = MIN_BACKOFF;
                if (published == 0) {
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

    /** At most hourly, when idle: published rows older than the retention go. */
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

    private record Row(long id, String topic, String key, byte[] payload) {
    }

    private record Batch(int published, RuntimeException failure) {
    }

    private int publishBatch() {
        Batch batch = tx.execute(status -> {
            Boolean locked = jdbc.queryForObject("select pg_try_advisory_xact_lock(?)", Boolean.class, RELAY_LOCK);
            if (!Boolean.TRUE.equals(locked)) {
                return new Batch(0, null);
            }
            List<Row> rows = jdbc.query(
                    "select id, topic, message_key, payload from outbox where published_at is null order by id limit ?",
                    (rs, i) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBytes(4)),
                    props.outbox().batchSize());
            if (rows.isEmpty()) {
                return new Batch(0, null);
            }
            List<Long> published = new ArrayList<>();
            RuntimeException failure = send(rows, published);
            if (!published.isEmpty()) {
                jdbc.update("update outbox set published_at = now() where id = any(?)",
                        (Object) published.toArray(new Long[0]));
            }
            return new Batch(published.size(), failure);
        });
        if (batch.failure() != null) {
            throw batch.failure();
        }
        return batch.published();
    }

    /** Sends the rows in order, adds the ids of the acknowledged prefix to {@code published}. */
    private RuntimeException send(List<Row> rows, List<Long> published) {
        List<Future<RecordMetadata>> futures = new ArrayList<>(rows.size());
        RuntimeException failure = null;
        Producer<String, SpecificRecord> producer = producer();
        for (Row row : rows) {
            try {
                Future<RecordMetadata> future = producer.send(new ProducerRecord<>(row.topic(), row.key(), decode(row)));
                futures.add(future);
                if (future.isDone()) {
                    future.get(); // fails fast when the metadata wait already failed
                }
            } catch (RuntimeException e) {
                failure = e;
                break;
            } catch (ExecutionException e) {
                futures.remove(futures.size() - 1);
                failure = new IllegalStateException("send failed: " + e.getCause(), e.getCause());
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new IllegalStateException("interrupted", e);
                break;
            }
        }
        long deadline = System.nanoTime() + props.outbox().sendTimeout().toNanos();
        for (int i = 0; i < futures.size(); i++) {
            try {
                futures.get(i).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                published.add(rows.get(i).id());
            } catch (ExecutionException | TimeoutException e) {
                return new IllegalStateException("send of outbox row " + rows.get(i).id() + " failed: "
                        + (e.getCause() != null ? e.getCause() : e), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new IllegalStateException("interrupted", e);
            }
        }
        return failure;
    }

    private SpecificRecord decode(Row row) {
        if (row.payload() == null) {
            return null;
        }
        SpecificDatumReader<? extends SpecificRecord> reader = readers.get(row.topic());
        if (reader == null) {
            throw new IllegalStateException("outbox row " + row.id() + " names an unknown topic " + row.topic());
        }
        try {
            return reader.read(null, DecoderFactory.get().binaryDecoder(row.payload(), null));
        } catch (IOException e) {
            throw new UncheckedIOException("outbox row " + row.id() + " is not valid Avro", e);
        }
    }

    private Producer<String, SpecificRecord> producer() {
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
            config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL, props.schemaRegistry().url());
            producer = new KafkaProducer<>(config, new StringSerializer(), avroSerializer(config));
        }
        return producer;
    }

    private static AvroSerializer<SpecificRecord> avroSerializer(Map<String, Object> config) {
        AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>();
        serializer.configure(config, false);
        return serializer;
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
