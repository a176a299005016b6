package io.psip.voice.messaging;

import io.psip.events.CallEvent;
import io.psip.schemas.Topics;
import io.psip.schemas.registry.SchemaRegistryException;
import io.psip.voice.calls.CallRecordUpdate;
import io.psip.voice.calls.CallRecords;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Projects {@code psip.call-events} into the call records, in its own consumer group. Offsets are committed only
 * after the records of a poll are written, so a crash re-reads them, which the store's sequence check makes
 * harmless. A failed write seeks the partition back to the record and retries after a pause, so nothing is
 * skipped while the database is away. A record whose schema the registry cannot give now is retried the same
 * way (the registry may be restarting; the tables' readers wait for it too). A record that is not an event at all
 * (not the Avro wire format, or not decodable with its schema) is logged, counted and skipped: it can never become
 * a record, and holding the partition for it would stop every later call's record.
 */
public class CallRecordProjector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CallRecordProjector.class);

    private final Consumer<String, byte[]> consumer;
    private final Deserializer<CallEvent> events;
    private final CallRecords records;
    private final Duration retryBackoff;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean polling;
    private volatile Throwable failure;
    private volatile long undecodable;

    public CallRecordProjector(Consumer<String, byte[]> consumer, Deserializer<CallEvent> events,
                               CallRecords records, Duration retryBackoff) {
        this.consumer = consumer;
        this.events = events;
        this.records = records;
        this.retryBackoff = retryBackoff;
        this.thread = new Thread(this::run, "call-record-projector");
    }

    public void start() {
        thread.start();
    }

    /** Whether it is reading (its group joined and polling) and has not failed. */
    public boolean healthy() {
        return polling && failure == null && thread.isAlive();
    }

    public Throwable failure() {
        return failure;
    }

    public long undecodable() {
        return undecodable;
    }

    private void run() {
        try {
            consumer.subscribe(List.of(Topics.CALL_EVENTS.name()));
            while (running) {
                ConsumerRecords<String, byte[]> batch = consumer.poll(Duration.ofSeconds(1));
                polling = true;
                Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
                for (TopicPartition partition : batch.partitions()) {
                    for (ConsumerRecord<String, byte[]> record : batch.records(partition)) {
                        if (!project(record)) {
                            consumer.seek(partition, record.offset());
                            break;
                        }
                        done.put(partition, new OffsetAndMetadata(record.offset() + 1));
                    }
                }
                if (!done.isEmpty()) {
                    consumer.commitSync(done);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("call record projection stopped", e);
            failure = e;
        } finally {
            consumer.close();
        }
    }

    /** False when the write failed and the record must be read again. */
    private boolean project(ConsumerRecord<String, byte[]> record) throws InterruptedException {
        CallEvent event;
        try {
            event = events.deserialize(record.topic(), record.value());
        } catch (RuntimeException e) {
            if (causedBy(e, SchemaRegistryException.class)) {
                log.warn("the registry cannot resolve the schema of {}-{}@{} yet; retrying in {}: {}", record.topic(),
                        record.partition(), record.offset(), retryBackoff, e.toString());
                Thread.sleep(retryBackoff.toMillis());
                return false;
            }
            undecodable++;
            log.warn("skipping call event at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.toString());
            return true;
        }
        if (event == null) {
            return true;
        }
        MDC.put("call_uuid", event.getCallUuid());
        try {
            records.apply(CallRecordUpdate.of(event));
            return true;
        } catch (RuntimeException e) {
            log.warn("writing the record of event {} failed; retrying in {}", event.getEventId(), retryBackoff, e);
            Thread.sleep(retryBackoff.toMillis());
            return false;
        } finally {
            MDC.remove("call_uuid");
        }
    }

    private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(Duration.ofSeconds(10).toMillis());
    }
}
