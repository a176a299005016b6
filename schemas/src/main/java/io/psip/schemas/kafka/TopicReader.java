package io.psip.schemas.kafka;

import io.psip.schemas.Topic;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.serde.AvroDeserializer;
import io.psip.schemas.serde.AvroSerdeConfig;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Reads every partition of one topic, without a consumer group, from its beginning or from its end, and hands each
 * record to {@code onRecord(key, value)} on its own daemon thread (value null for a tombstone). Every instance sees
 * every partition: what an in-memory table needs (from the beginning, see {@link CompactedTopicReader}), and what a
 * listener for commands addressed to one instance needs (from the end). {@link #caughtUp()} turns true once the
 * reader has reached the end offsets taken when it started; it keeps following the topic after that.
 */
public class TopicReader<V extends SpecificRecord> implements AutoCloseable {

    /** Where reading starts. */
    public enum Start { BEGINNING, END }

    private static final Logger log = LoggerFactory.getLogger(TopicReader.class);
    /** Records come back as soon as a fetch has them; the poll timeout only bounds idle wake-ups. */
    private static final Duration POLL = Duration.ofSeconds(1);

    private final Topic<V> topic;
    private final Start startAt;
    private final Map<String, Object> kafkaConfig;
    private final AvroDeserializer<V> deserializer;
    private final BiConsumer<String, V> onRecord;
    private final AtomicLong skipped = new AtomicLong();
    private final Thread thread;
    private volatile boolean running;
    private volatile boolean caughtUp;
    private volatile Throwable failure;
    private volatile KafkaConsumer<String, byte[]> consumer;

    /**
     * @param kafkaConfig at least {@code bootstrap.servers} and {@code schema.registry.url}; other consumer
     *                    settings pass through (group, offsets and deserializers are set here)
     */
    public TopicReader(Topic<V> topic, Start start, Map<String, Object> kafkaConfig, BiConsumer<String, V> onRecord) {
        Object registryUrl = kafkaConfig.get(AvroSerdeConfig.SCHEMA_REGISTRY_URL);
        if (registryUrl == null || kafkaConfig.get(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG) == null) {
            throw new IllegalArgumentException("kafkaConfig needs " + ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG
                    + " and " + AvroSerdeConfig.SCHEMA_REGISTRY_URL);
        }
        this.topic = topic;
        this.startAt = start;
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

    /** Records skipped because they could not be deserialized or their handler threw. */
    public long skippedRecords() {
        return skipped.get();
    }

    public Topic<V> topic() {
        return topic;
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
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
        KafkaConsumer<String, byte[]> c = null;
        try {
            c = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
            consumer = c;
            if (!running) {
                return;
            }
            List<TopicPartition> partitions = partitions(c);
            if (partitions == null) {
                return;
            }
            c.assign(partitions);
            Map<TopicPartition, Long> endOffsets = c.endOffsets(partitions);
            if (startAt == Start.BEGINNING) {
                c.seekToBeginning(partitions);
            } else {
                endOffsets.forEach(c::seek);
            }
            log.info("reading {} from the {}, {} partitions, end offsets {}", topic.name(),
                    startAt.name().toLowerCase(), partitions.size(), endOffsets);
            checkCaughtUp(c, endOffsets);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : c.poll(POLL)) {
                    handle(record);
                }
                if (!caughtUp) {
                    checkCaughtUp(c, endOffsets);
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
        }
    }

    /** Waits for Kafka and the topic (a service may start before its topics are created); null if closed meanwhile. */
    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) throws InterruptedException {
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

    private void handle(ConsumerRecord<String, byte[]> record) {
        V value;
        try {
            value = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            skipped.incrementAndGet();
            log.error("skipping record {}-{}@{} that cannot be deserialized: {}",
                    record.topic(), record.partition(), record.offset(), e.getMessage());
            return;
        }
        try {
            onRecord.accept(record.key(), value);
        } catch (RuntimeException e) {
            skipped.incrementAndGet();
            log.error("skipping record {}-{}@{} whose handler failed", record.topic(), record.partition(), record.offset(), e);
        }
    }

    private void checkCaughtUp(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> endOffsets) {
        for (Map.Entry<TopicPartition, Long> end : endOffsets.entrySet()) {
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
}
