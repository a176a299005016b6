package io.psip.routing.messaging;

import io.psip.events.ActiveCall;
import io.psip.routing.RoutingProperties;
import io.psip.routing.call.ActiveCalls;
import io.psip.schemas.Topic;
import io.psip.schemas.kafka.CompactedTopicReader;
import io.psip.schemas.serde.AvroSerdeConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The active calls of this region on their compacted topic: a record per answered call, a tombstone when it ends.
 * Sends go through one writer thread with a bounded queue, so a call lane never waits for Kafka (not even for
 * metadata) and each call's record and tombstone keep their order; what does not fit is counted and logged.
 */
public final class KafkaActiveCalls implements ActiveCalls, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaActiveCalls.class);
    private static final int QUEUE = 10_000;
    private static final Duration READ_POLL = Duration.ofMillis(100);

    private final Topic<ActiveCall> topic;
    private final Map<String, Object> readerConfig;
    private final Producer<String, ActiveCall> producer;
    private final ThreadPoolExecutor writer;
    private final Runnable onLost;

    /** {@code onLost}: counts a record or tombstone that never reached the broker. */
    public KafkaActiveCalls(Topic<ActiveCall> topic, String bootstrapServers, RoutingProperties.SchemaRegistry registry,
                            String clientId, Runnable onLost) {
        this.topic = topic;
        this.readerConfig = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry.url(),
                ConsumerConfig.CLIENT_ID_CONFIG, clientId + "-reader");
        this.producer = AvroProducers.create(bootstrapServers, registry, clientId);
        this.onLost = onLost;
        this.writer = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "active-calls-writer");
            t.setDaemon(true);
            return t;
        }, (task, executor) -> {
            onLost.run();
            log.error("active-calls writer queue full ({}): a record was dropped", QUEUE);
        });
    }

    @Override
    public void record(ActiveCall call) {
        send(call.getCallUuid(), call);
    }

    @Override
    public void remove(String callUuid) {
        send(callUuid, null);
    }

    private void send(String callUuid, ActiveCall call) {
        writer.execute(() -> {
            try {
                producer.send(new ProducerRecord<>(topic.name(), callUuid, call), (sent, error) -> {
                    if (error != null) {
                        lost(callUuid, call, error);
                    }
                });
            } catch (RuntimeException e) {
                lost(callUuid, call, e);
            }
        });
    }

    private void lost(String callUuid, ActiveCall call, Exception error) {
        onLost.run();
        try (var ignored = MDC.putCloseable("call_uuid", callUuid)) {
            log.error("active call {} was not written: {}", call == null ? "tombstone" : "record", error.toString());
        }
    }

    /** Reads the whole topic from offset 0 (latest record per call, tombstones applied). */
    @Override
    public List<ActiveCall> heldBy(String instanceId) {
        Map<String, ActiveCall> latest = new ConcurrentHashMap<>();
        try (CompactedTopicReader<ActiveCall> reader = new CompactedTopicReader<>(topic, readerConfig,
                (key, call) -> {
                    if (call == null) {
                        latest.remove(key);
                    } else {
                        latest.put(key, call);
                    }
                })) {
            reader.start();
            while (!reader.caughtUp()) {
                if (reader.failed()) {
                    throw new IllegalStateException("cannot read " + topic.name(), reader.failure());
                }
                Thread.sleep(READ_POLL.toMillis());
            }
            return latest.values().stream().filter(call -> instanceId.equals(call.getInstanceId())).toList();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading " + topic.name(), e);
        }
    }

    /** Sends what is queued (the tombstones of a graceful shutdown), then closes. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("active-calls writer did not finish within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
