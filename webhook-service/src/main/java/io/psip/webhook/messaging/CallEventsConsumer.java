package io.psip.webhook.messaging;

import io.psip.events.CallEvent;
import io.psip.schemas.Topics;
import io.psip.webhook.delivery.OffsetTracker;
import io.psip.webhook.delivery.PendingDelivery;
import io.psip.webhook.events.DeadLetters;
import io.psip.webhook.events.EventUrlDelivery;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Reads {@code psip.call-events} in the consumer group and commits an event's offset only once its work is durable
 * (done, or in the delivery log), contiguously per partition. When it gets a partition it first resumes the
 * deliveries the log holds for that partition's calls, so they go before those calls' newer events, and starts
 * at the log's watermark if that is past the group's offset (a new group does not post old statuses again).
 * One thread owns the consumer and the tracker; the handlers' completions come back through a queue.
 */
public class CallEventsConsumer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CallEventsConsumer.class);
    private static final Duration POLL = Duration.ofMillis(100);

    /**
     * @param maxEventAge   an event older than this is skipped: the log keeps no state that old (its retention)
     * @param maxUnfinished records read but not yet durable beyond which reading pauses
     * @param shutdownGrace how long closing waits for read events to become durable
     */
    public record Settings(Duration maxEventAge, int maxUnfinished, Duration shutdownGrace) {
    }

    private record Finished(int partition, long offset) {
    }

    private final Consumer<String, byte[]> consumer;
    private final Supplier<Consumer<String, byte[]>> logReaders;
    private final Deserializer<CallEvent> events;
    private final Function<CallEvent, CompletableFuture<Void>> handler;
    private final DeadLetters deadLetters;
    private final KafkaDeliveryLog deliveryLog;
    private final EventUrlDelivery delivery;
    private final Settings settings;
    private final Clock clock;
    private final Counter expired;
    private final OffsetTracker tracker = new OffsetTracker();
    private final BlockingQueue<Finished> finished = new LinkedBlockingQueue<>();
    private final Map<Integer, Long> committed = new HashMap<>();
    private final Map<TopicPartition, Long> catchUpTo = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile boolean assigned;
    private volatile boolean caughtUp;
    private volatile Set<Integer> partitions = Set.of();
    private int partitionCount;
    private boolean paused;

    /**
     * @param logReaders a fresh consumer (no group) of the delivery log, for each partition taken over
     */
    public CallEventsConsumer(Consumer<String, byte[]> consumer, Supplier<Consumer<String, byte[]>> logReaders,
                              Deserializer<CallEvent> events, Function<CallEvent, CompletableFuture<Void>> handler,
                              DeadLetters deadLetters, KafkaDeliveryLog deliveryLog, EventUrlDelivery delivery,
                              Settings settings, Clock clock, MeterRegistry meters) {
        this.consumer = consumer;
        this.logReaders = logReaders;
        this.events = events;
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.deliveryLog = deliveryLog;
        this.delivery = delivery;
        this.settings = settings;
        this.clock = clock;
        this.expired = meters.counter("psip.webhook.event.deliveries", "outcome", "expired", "status", "unknown");
        this.thread = new Thread(this::run, "call-events");
    }

    public void start() {
        thread.start();
    }

    /** Has its partitions (possibly none) and has read what they held when it got them. */
    public boolean caughtUp() {
        return caughtUp;
    }

    public String state() {
        return !assigned ? "waiting for the consumer group assignment"
                : caughtUp ? "partitions " + partitions : "catching up on partitions " + partitions;
    }

    private void run() {
        try {
            partitionCount = consumer.partitionsFor(Topics.CALL_EVENTS.name()).size();
            consumer.subscribe(List.of(Topics.CALL_EVENTS.name()), new Rebalance());
            while (running) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                    accept(record);
                }
                drainAndCommit();
                backpressure();
                checkCaughtUp();
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("call-events consumer stopped", e);
        } finally {
            shutDown();
        }
    }

    private void accept(ConsumerRecord<String, byte[]> record) {
        int partition = record.partition();
        long offset = record.offset();
        tracker.received(partition, offset);
        if (record.value() == null) {
            tracker.finished(partition, offset);
            return;
        }
        if (Duration.between(Instant.ofEpochMilli(record.timestamp()), clock.instant())
                .compareTo(settings.maxEventAge()) > 0) {
            expired.increment();
            tracker.finished(partition, offset);
            return;
        }
        CompletableFuture<Void> work;
        try {
            work = handler.apply(events.deserialize(record.topic(), record.headers(), record.value()));
        } catch (RuntimeException e) {
            work = poison(record, e);
        }
        work.whenComplete((ignored, error) -> {
            if (error != null) {
                try (var mdc = MDC.putCloseable("call_uuid", record.key())) {
                    log.error("call event at {}-{} failed; moving on", partition, offset, error);
                }
            }
            finished.add(new Finished(partition, offset));
        });
    }

    /** A record that is not a call event goes to the dead letters as it was. */
    private CompletableFuture<Void> poison(ConsumerRecord<String, byte[]> record, RuntimeException error) {
        log.warn("dead-lettering the record at {}-{}: {}", record.partition(), record.offset(), error.toString());
        Map<String, String> details = new LinkedHashMap<>();
        details.put("original_topic", record.topic());
        details.put("original_partition", Integer.toString(record.partition()));
        details.put("original_offset", Long.toString(record.offset()));
        details.put("failure", error.getClass().getSimpleName());
        return deadLetters.deadLetter(record.key(), record.value(), details);
    }

    private void drainAndCommit() {
        for (Finished done = finished.poll(); done != null; done = finished.poll()) {
            tracker.finished(done.partition(), done.offset());
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int partition : partitions) {
            OptionalLong next = tracker.committable(partition);
            if (next.isPresent() && next.getAsLong() > committed.getOrDefault(partition, -1L)) {
                committed.put(partition, next.getAsLong());
                offsets.put(new TopicPartition(Topics.CALL_EVENTS.name(), partition),
                        new OffsetAndMetadata(next.getAsLong()));
                deliveryLog.watermark(partition, next.getAsLong());
            }
        }
        if (!offsets.isEmpty()) {
            consumer.commitAsync(offsets, (done, error) -> {
                if (error != null) {
                    log.warn("could not commit {}: {}", done, error.toString());
                }
            });
        }
    }

    private void backpressure() {
        boolean over = tracker.unfinished() > settings.maxUnfinished();
        if (over != paused) {
            if (over) {
                consumer.pause(consumer.assignment());
            } else {
                consumer.resume(consumer.assignment());
            }
            paused = over;
        }
    }

    private void checkCaughtUp() {
        if (!caughtUp && assigned) {
            catchUpTo.entrySet().removeIf(entry -> consumer.position(entry.getKey()) >= entry.getValue());
            caughtUp = catchUpTo.isEmpty();
        }
    }

    /** Stops reading; what was read and is durable by then is committed. */
    private void shutDown() {
        try {
            long end = System.nanoTime() + settings.shutdownGrace().toNanos();
            while (tracker.unfinished() > 0 && System.nanoTime() < end) {
                Finished done = finished.poll(end - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (done != null) {
                    tracker.finished(done.partition(), done.offset());
                }
            }
            drainAndCommit();
            deliveryLog.flush();
            consumer.commitSync(committedOffsets(partitions));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("could not commit on close: {}", e.toString());
        } finally {
            delivery.release(call -> true);
            consumer.close();
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> committedOffsets(Collection<Integer> of) {
        return of.stream().filter(committed::containsKey).collect(Collectors.toMap(
                p -> new TopicPartition(Topics.CALL_EVENTS.name(), p), p -> new OffsetAndMetadata(committed.get(p))));
    }

    /** The call-events partition of a call: the producer's default partitioner on its key. */
    private int partitionOf(String callUuid) {
        return Utils.toPositive(Utils.murmur2(callUuid.getBytes(StandardCharsets.UTF_8))) % partitionCount;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(settings.shutdownGrace().plusSeconds(5).toMillis());
    }

    /** Runs on the consumer thread, inside poll. */
    private final class Rebalance implements ConsumerRebalanceListener {

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            Set<Integer> numbers = numbers(revoked);
            drainAndCommit();
            deliveryLog.flush();
            try {
                consumer.commitSync(committedOffsets(numbers));
            } catch (RuntimeException e) {
                log.warn("could not commit revoked partitions {}: {}", numbers, e.toString());
            }
            giveUp(numbers);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            giveUp(numbers(lost));
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> taken) {
            Map<TopicPartition, OffsetAndMetadata> groupOffsets = consumer.committed(Set.copyOf(taken));
            for (TopicPartition partition : taken) {
                long watermark = resume(partition.partition());
                OffsetAndMetadata groupOffset = groupOffsets.get(partition);
                if (watermark >= 0 && (groupOffset == null || groupOffset.offset() < watermark)) {
                    consumer.seek(partition, watermark);
                } else if (groupOffset != null && groupOffset.offset() > watermark) {
                    // The last owner's commit outran its watermark (killed between the two): the group's offset
                    // is handled too, and a replaying group must start there, not re-post what lies below it.
                    deliveryLog.watermark(partition.partition(), groupOffset.offset());
                }
            }
            catchUpTo.putAll(consumer.endOffsets(taken));
            Set<Integer> all = new TreeSet<>(partitions);
            all.addAll(numbers(taken));
            partitions = Collections.unmodifiableSet(all);
            caughtUp = false;
            assigned = true;
            log.info("call-events partitions {} taken; now {}", numbers(taken), partitions);
        }

        /** Queues the partition's pending deliveries from the log; returns its watermark, -1 if none. */
        private long resume(int partition) {
            TopicPartition logPartition = new TopicPartition(Topics.WEBHOOK_DELIVERIES, partition);
            Map<String, List<PendingDelivery>> calls = new LinkedHashMap<>();
            long watermark = -1;
            try (Consumer<String, byte[]> reader = logReaders.get()) {
                reader.assign(List.of(logPartition));
                reader.seekToBeginning(List.of(logPartition));
                long end = reader.endOffsets(List.of(logPartition)).get(logPartition);
                while (reader.position(logPartition) < end) {
                    for (ConsumerRecord<String, byte[]> record : reader.poll(POLL)) {
                        if (KafkaDeliveryLog.WATERMARK_KEY.equals(record.key())) {
                            watermark = deliveryLog.read(record.value()).handledBelow();
                        } else if (record.value() == null) {
                            calls.remove(record.key());
                        } else {
                            // only a call's latest entry is kept: memory follows the unfinished calls
                            calls.remove(record.key());
                            calls.put(record.key(), deliveryLog.read(record.value()).pending());
                        }
                    }
                }
            }
            calls.values().forEach(delivery::resume);
            if (!calls.isEmpty()) {
                log.info("resumed the pending deliveries of {} call(s) of partition {}", calls.size(), partition);
            }
            return watermark;
        }

        private void giveUp(Set<Integer> numbers) {
            delivery.release(call -> numbers.contains(partitionOf(call)));
            numbers.forEach(partition -> {
                tracker.forget(partition);
                committed.remove(partition);
                catchUpTo.remove(new TopicPartition(Topics.CALL_EVENTS.name(), partition));
            });
            Set<Integer> left = new TreeSet<>(partitions);
            left.removeAll(numbers);
            partitions = Collections.unmodifiableSet(left);
            log.info("call-events partitions {} given up; now {}", numbers, partitions);
        }

        private static Set<Integer> numbers(Collection<TopicPartition> partitions) {
            return partitions.stream().map(TopicPartition::partition).collect(Collectors.toSet());
        }
    }
}
