package io.psip.schemas.kafka;

import io.psip.schemas.Topic;
import io.psip.schemas.Topics;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.registry.SchemaRegistryException;
import io.psip.schemas.serde.AvroDeserializer;
import io.psip.schemas.serde.AvroSerdeConfig;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiConsumer;

/**
 * Reads every partition of one topic, without a consumer group, from its beginning or from its end, and hands each
 * record to {@code onRecord(key, value)} on its own daemon thread (value null for a tombstone). Every instance sees
 * every partition: what an in-memory table needs (from the beginning, see {@link CompactedTopicReader}), and what a
 * listener for commands addressed to one instance needs (from the end). {@link #caughtUp()} turns true once the
 * reader has reached the end offsets taken when it started; it keeps following the topic after that.
 *
 * <p>No record is ever skipped silently. A record that cannot be read <em>now</em> (the schema registry is
 * unreachable or failing, or does not know the record's schema id yet, as a regional registry lagging behind the
 * mirrored topic does not) is retried with capped backoff, and the reader stays on it, {@link #stuck()}, applying
 * nothing after it, until it gets through. A record that can never be read (not in the Confluent framing, Avro that
 * does not decode with its writer schema or does not resolve into the reader's, or a handler that throws) is
 * {@link Poison poison}: copied to {@link Topics#TABLE_DLQ} and counted, or for a non-table reader skipped and
 * counted; then the reader moves on.
 */
public class TopicReader<V extends SpecificRecord> implements AutoCloseable {

    /** Where reading starts. */
    public enum Start { BEGINNING, END }

    /** What the reader reports, most serious first. */
    public enum State {
        FAILED("failed"), STUCK("stuck"), DEAD_LETTERED("dead-lettered"), LOADING("loading"), CAUGHT_UP("caught-up");

        private final String label;

        State(String label) {
            this.label = label;
        }

        /** As the admin view and health details show it. */
        public String label() {
            return label;
        }
    }

    /**
     * What becomes of a record that can never be read. {@code deadLetter}: copied to {@link Topics#TABLE_DLQ} with
     * {@code readerId} in its {@code psip.dlq.reader} header, and the reader reports {@link State#DEAD_LETTERED}
     * until {@link #acknowledgeDeadLetters()}; otherwise only skipped and counted.
     */
    public record Poison(boolean deadLetter, String readerId) {

        public static Poison deadLetter(String readerId) {
            return new Poison(true, readerId);
        }

        public static Poison skip() {
            return new Poison(false, null);
        }
    }

    /** The record the reader waits on: its partition and offset, since when, and the last error. */
    public record Stuck(int partition, long offset, Instant since, String error) {
    }

    /** One partition: the offset of the next record to apply, the end offset as of the last fetch, the lag. */
    public record PartitionPosition(int partition, long position, long endOffset) {
        public long lag() {
            return Math.max(0, endOffset - position);
        }
    }

    /** A record that went to the dead-letter topic. */
    public record RecordId(int partition, long offset) {
    }

    public static final String DLQ_TOPIC = "psip.dlq.topic";
    public static final String DLQ_PARTITION = "psip.dlq.partition";
    public static final String DLQ_OFFSET = "psip.dlq.offset";
    public static final String DLQ_ERROR = "psip.dlq.error";
    public static final String DLQ_READER = "psip.dlq.reader";

    private static final Logger log = LoggerFactory.getLogger(TopicReader.class);
    /** Records come back as soon as a fetch has them; the poll timeout only bounds idle wake-ups. */
    private static final Duration POLL = Duration.ofSeconds(1);
    private static final Duration FIRST_RETRY = Duration.ofMillis(100);
    private static final Duration MAX_RETRY = Duration.ofSeconds(5);
    private static final Duration DLQ_SEND_TIMEOUT = Duration.ofSeconds(10);
    private static final int MAX_ERROR_LENGTH = 1000;

    private final Topic<V> topic;
    private final Start startAt;
    private final Poison poison;
    private final Map<String, Object> kafkaConfig;
    private final AvroDeserializer<V> deserializer;
    private final BiConsumer<String, V> onRecord;
    private final AtomicLong skipped = new AtomicLong();
    private final Set<RecordId> deadLettered = ConcurrentHashMap.newKeySet();
    private final Set<RecordId> acknowledged = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Long> positions = new ConcurrentHashMap<>();
    private final Map<Integer, Long> endOffsets = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running;
    private volatile boolean caughtUp;
    private volatile Throwable failure;
    private volatile Stuck stuck;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private KafkaProducer<byte[], byte[]> deadLetterProducer;

    /** A reader whose poison records are skipped and counted (see {@link Poison}). */
    public TopicReader(Topic<V> topic, Start start, Map<String, Object> kafkaConfig, BiConsumer<String, V> onRecord) {
        this(topic, start, Poison.skip(), kafkaConfig, onRecord);
    }

    /**
     * @param kafkaConfig at least {@code bootstrap.servers} and {@code schema.registry.url}; other consumer
     *                    settings pass through (group, offsets and deserializers are set here)
     */
    public TopicReader(Topic<V> topic, Start start, Poison poison, Map<String, Object> kafkaConfig,
                       BiConsumer<String, V> onRecord) {
        Object registryUrl = kafkaConfig.get(AvroSerdeConfig.SCHEMA_REGISTRY_URL);
        if (registryUrl == null || kafkaConfig.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) == null) {
            throw new IllegalArgumentException("kafkaConfig needs " + ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG
                    + " and " + AvroSerdeConfig.SCHEMA_REGISTRY_URL);
        }
        this.topic = topic;
        this.startAt = start;
        this.poison = poison;
        // The reader type comes from the Topic itself, so any topic name works (tests use their own).
        this.deserializer = new AvroDeserializer<>(new SchemaRegistryClient(registryUrl.toString()), topic.valueType());
        this.kafkaConfig = new HashMap<>(kafkaConfig);
        this.onRecord = onRecord;
        this.thread = new Thread(this::run, "topic-reader-" + topic.name());
        this.thread.setDaemon(true);
    }

    public synchronized void start() {
        if (running || thread.isAlive()) {
            throw new IllegalStateException("already started");
        }
        running = true;
        thread.start();
    }

    /** True once every partition has been read up to the end offsets taken at start. */
    public boolean caughtUp() {
        return caughtUp;
    }

    /** True if the reading thread died; {@link #failure()} says why. */
    public boolean failed() {
        return failure != null;
    }

    public Throwable failure() {
        return failure;
    }

    /** The record the reader is waiting on, if a transient failure holds it there. */
    public Optional<Stuck> stuck() {
        return Optional.ofNullable(stuck);
    }

    /** Poison records skipped (a reader that does not dead-letter). */
    public long skippedRecords() {
        return skipped.get();
    }

    /** Records this reader sent to the dead-letter topic (or met again, already acknowledged). */
    public long deadLetters() {
        return deadLettered.size();
    }

    /** True while a dead letter has not been acknowledged. */
    public boolean deadLettered() {
        return !acknowledged.containsAll(deadLettered);
    }

    /** The operator has dealt with the dead letters so far: the reader no longer reports them. */
    public void acknowledgeDeadLetters() {
        acknowledged.addAll(deadLettered);
    }

    /**
     * Takes over what {@code earlier} (a reader of the same topic being replaced) had acknowledged: meeting those
     * records again, this one counts them without sending them to the dead-letter topic again. Call before start (and
     * again later to take over what was acknowledged since).
     */
    public void acknowledgedBefore(TopicReader<?> earlier) {
        acknowledged.addAll(earlier.acknowledged);
    }

    /** Caught up, and neither failed, stuck nor holding unacknowledged dead letters. */
    public boolean ready() {
        return state() == State.CAUGHT_UP;
    }

    public State state() {
        if (failed()) {
            return State.FAILED;
        }
        if (stuck != null) {
            return State.STUCK;
        }
        if (deadLettered()) {
            return State.DEAD_LETTERED;
        }
        return caughtUp ? State.CAUGHT_UP : State.LOADING;
    }

    /** Every assigned partition, in order; empty until the reader has found the topic. */
    public List<PartitionPosition> partitions() {
        return positions.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(p -> new PartitionPosition(p.getKey(), p.getValue(),
                        Math.max(p.getValue(), endOffsets.getOrDefault(p.getKey(), 0L)))).toList();
    }

    /** Records behind the end offsets of the last fetch, over all partitions. */
    public long lag() {
        return partitions().stream().mapToLong(PartitionPosition::lag).sum();
    }

    public Topic<V> topic() {
        return topic;
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        LockSupport.unpark(thread);
        if (Thread.currentThread() != thread) {
            try {
                thread.join(Duration.ofSeconds(10).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        Map<String, Object> config = new HashMap<>(kafkaConfig);
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // A broker with auto-create on would otherwise create the topic without its compaction policy.
        config.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // A fetch returns as soon as a record arrives (fetch.min.bytes 1); the wait only bounds how often an idle
        // reader asks again, and at the default 500 ms four readers per service kept the broker busy doing nothing.
        config.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 10_000);
        config.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG,
                "topic-reader-" + topic.name() + "-" + System.identityHashCode(this));
        config.remove(AvroSerdeConfig.SCHEMA_REGISTRY_URL);
        KafkaConsumer<byte[], byte[]> c = null;
        try {
            // Keys stay bytes until used, so a dead letter carries the key exactly as it came.
            c = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            consumer = c;
            if (!running) {
                return;
            }
            List<TopicPartition> partitions = partitions(c);
            if (partitions == null) {
                return;
            }
            c.assign(partitions);
            Map<TopicPartition, Long> ends = c.endOffsets(partitions);
            if (startAt == Start.BEGINNING) {
                c.seekToBeginning(partitions);
            } else {
                ends.forEach(c::seek);
            }
            ends.forEach((tp, end) -> endOffsets.put(tp.partition(), end));
            log.info("reading {} from the {}, {} partitions, end offsets {}", topic.name(),
                    startAt.name().toLowerCase(), partitions.size(), ends);
            track(c, partitions);
            checkCaughtUp(c, ends);
            while (running) {
                ConsumerRecords<byte[], byte[]> records = c.poll(POLL);
                for (TopicPartition partition : records.partitions()) {
                    for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
                        if (!deliver(record, c, partitions)) {
                            return;
                        }
                        positions.put(record.partition(), record.offset() + 1);
                    }
                }
                track(c, partitions);
                if (!caughtUp) {
                    checkCaughtUp(c, ends);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                fail(e);
            }
        } catch (Throwable e) {
            fail(e);
        } finally {
            consumer = null;
            // No group to leave and no offset to commit, so nothing to wait for: a plain close would wait for the
            // fetch in flight, which an idle broker holds for up to fetch.max.wait.
            if (c != null) {
                c.close(CloseOptions.timeout(Duration.ZERO));
            }
            if (deadLetterProducer != null) {
                deadLetterProducer.close(Duration.ofSeconds(1));
            }
        }
    }

    /**
     * Applies one record, staying on it while it fails for a reason that may pass; false if the reader was closed
     * before it got through (nothing after it may be applied then).
     */
    private boolean deliver(ConsumerRecord<byte[], byte[]> record, KafkaConsumer<byte[], byte[]> c,
                            List<TopicPartition> partitions) {
        Duration wait = FIRST_RETRY;
        int attempts = 0;
        while (running) {
            attempts++;
            String error;
            try {
                apply(record);
                if (stuck != null) {
                    log.info("record {}-{}@{} got through after {} attempts", record.topic(), record.partition(),
                            record.offset(), attempts);
                    stuck = null;
                }
                return true;
            } catch (Transient e) {
                error = e.getMessage();
            } catch (PoisonRecord e) {
                try {
                    putAside(record, e.getMessage());
                    stuck = null;
                    return true;
                } catch (RuntimeException sendFailure) {
                    if (Thread.currentThread().isInterrupted()) {
                        throw sendFailure; // the reader fails rather than spin: nothing here interrupts it
                    }
                    error = "cannot dead-letter (" + e.getMessage() + "): " + sendFailure;
                }
            }
            Stuck held = stuck;
            stuck = new Stuck(record.partition(), record.offset(), held == null ? Instant.now() : held.since(),
                    truncate(error));
            if (held == null) {
                log.warn("stuck on record {}-{}@{}; retrying until it gets through: {}", record.topic(),
                        record.partition(), record.offset(), error);
            } else {
                log.debug("record {}-{}@{} still fails after {} attempts: {}", record.topic(), record.partition(),
                        record.offset(), attempts, error);
            }
            LockSupport.parkNanos(wait.toNanos());
            refreshEndOffsets(c, partitions);
            wait = wait.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait.multipliedBy(2);
        }
        return false;
    }

    private void apply(ConsumerRecord<byte[], byte[]> record) {
        V value;
        try {
            value = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            if (registryFailure(e)) {
                throw new Transient(e.getMessage());
            }
            throw new PoisonRecord("cannot be deserialized: " + e.getMessage());
        }
        try {
            onRecord.accept(record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8), value);
        } catch (RuntimeException e) {
            log.error("handler of {}-{}@{} failed", record.topic(), record.partition(), record.offset(), e);
            throw new PoisonRecord("handler failed: " + e);
        }
    }

    /**
     * Whatever the registry answered (or did not), the record itself may be fine: a 404 for a schema id is a
     * registry that has not seen the schema yet, any other status a registry that is down or misconfigured.
     */
    private static boolean registryFailure(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SchemaRegistryException) {
                return true;
            }
        }
        return false;
    }

    private void putAside(ConsumerRecord<byte[], byte[]> record, String error) {
        RecordId id = new RecordId(record.partition(), record.offset());
        if (!poison.deadLetter()) {
            skipped.incrementAndGet();
            log.error("skipping record {}-{}@{} that {}", record.topic(), record.partition(), record.offset(), error);
            return;
        }
        if (acknowledged.contains(id)) {
            deadLettered.add(id);
            log.info("record {}-{}@{} that {} was dead-lettered and acknowledged before; passing over it",
                    record.topic(), record.partition(), record.offset(), error);
            return;
        }
        Headers headers = new RecordHeaders(record.headers().toArray());
        header(headers, DLQ_TOPIC, record.topic());
        header(headers, DLQ_PARTITION, Integer.toString(record.partition()));
        header(headers, DLQ_OFFSET, Long.toString(record.offset()));
        header(headers, DLQ_ERROR, truncate(error));
        header(headers, DLQ_READER, poison.readerId());
        try {
            deadLetterProducer().send(new ProducerRecord<>(Topics.TABLE_DLQ, null, record.key(), record.value(),
                    headers)).get(DLQ_SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException(e.getCause() == null ? e.toString() : e.getCause().toString(), e);
        }
        deadLettered.add(id);
        log.error("record {}-{}@{} {}; sent to {}, table {} reports dead-lettered until acknowledged",
                record.topic(), record.partition(), record.offset(), error, Topics.TABLE_DLQ, topic.name());
    }

    private static void header(Headers headers, String name, String value) {
        headers.remove(name);
        headers.add(name, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    /** On the cluster this reader reads, with its connection settings (security ones included). */
    private KafkaProducer<byte[], byte[]> deadLetterProducer() {
        if (deadLetterProducer == null) {
            Map<String, Object> config = new HashMap<>();
            kafkaConfig.forEach((key, value) -> {
                if (key.equals(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) || key.startsWith("security.")
                        || key.startsWith("sasl.") || key.startsWith("ssl.")) {
                    config.put(key, value);
                }
            });
            config.put(ProducerConfig.CLIENT_ID_CONFIG, "dead-letters-" + kafkaConfig.getOrDefault(
                    ConsumerConfig.CLIENT_ID_CONFIG, topic.name()));
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
            // A missing topic or an unreachable broker must come back as a failure to retry, not block the reader.
            config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) DLQ_SEND_TIMEOUT.toMillis());
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) DLQ_SEND_TIMEOUT.toMillis());
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) DLQ_SEND_TIMEOUT.toMillis() / 2);
            deadLetterProducer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        }
        return deadLetterProducer;
    }

    /** Waits for Kafka and the topic (a service may start before its topics are created); null if closed meanwhile. */
    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> c) throws InterruptedException {
        boolean warned = false;
        while (running) {
            try {
                List<PartitionInfo> infos = c.partitionsFor(topic.name(), Duration.ofSeconds(10));
                if (infos != null && !infos.isEmpty()) {
                    return infos.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                }
                if (!warned) {
                    log.warn("topic {} does not exist yet; waiting for it", topic.name());
                    warned = true;
                }
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                log.warn("no metadata for {} from Kafka yet ({}); retrying", topic.name(), e.getMessage());
            }
            Thread.sleep(500);
        }
        return null;
    }

    /** Positions and end offsets as the consumer knows them (no request to the broker). */
    private void track(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions) {
        for (TopicPartition partition : partitions) {
            long position = c.position(partition);
            positions.put(partition.partition(), position);
            c.currentLag(partition).ifPresent(lag -> endOffsets.put(partition.partition(), position + lag));
        }
    }

    /** While stuck: the lag shown must grow as records queue up behind the stuck one. */
    private void refreshEndOffsets(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> partitions) {
        try {
            c.endOffsets(partitions, Duration.ofSeconds(2)).forEach((tp, end) -> endOffsets.put(tp.partition(), end));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            log.debug("no end offsets for {} now: {}", topic.name(), e.getMessage());
        }
    }

    private void checkCaughtUp(KafkaConsumer<byte[], byte[]> c, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (c.position(end.getKey()) < end.getValue()) {
                return;
            }
        }
        caughtUp = true;
        log.info("caught up with {}", topic.name());
    }

    private void fail(Throwable e) {
        failure = e;
        running = false;
        log.error("reader of {} stopped", topic.name(), e);
    }

    private static String truncate(String error) {
        return error == null || error.length() <= MAX_ERROR_LENGTH ? error : error.substring(0, MAX_ERROR_LENGTH);
    }

    /** A record that may get through later. */
    private static final class Transient extends RuntimeException {
        Transient(String message) {
            super(message, null, false, false);
        }
    }

    /** A record that never will. */
    private static final class PoisonRecord extends RuntimeException {
        PoisonRecord(String message) {
            super(message, null, false, false);
        }
    }
}
