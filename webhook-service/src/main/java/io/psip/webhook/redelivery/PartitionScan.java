package io.psip.webhook.redelivery;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One look at a topic for an operator's request: partitions read between two offsets with a consumer of its own,
 * assigned (no group, nothing committed) and closed afterwards.
 */
final class PartitionScan implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);

    private final Consumer<String, byte[]> consumer;
    private final String topic;
    private final Duration timeout;

    PartitionScan(Consumer<String, byte[]> consumer, String topic, Duration timeout) {
        this.consumer = consumer;
        this.topic = topic;
        this.timeout = timeout;
    }

    List<TopicPartition> partitions() {
        return consumer.partitionsFor(topic, timeout).stream()
                .map(info -> new TopicPartition(topic, info.partition())).toList();
    }

    /** The partition the default partitioner puts {@code key} in, as the call's producer did. */
    TopicPartition partitionOf(String key) {
        int count = partitions().size();
        return new TopicPartition(topic, Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % count);
    }

    Map<TopicPartition, Long> beginnings(List<TopicPartition> partitions) {
        return consumer.beginningOffsets(partitions, timeout);
    }

    Map<TopicPartition, Long> ends(List<TopicPartition> partitions) {
        return consumer.endOffsets(partitions, timeout);
    }

    /** Per partition, the first offset whose timestamp is {@code at} or later; the end where there is none. */
    Map<TopicPartition, Long> offsetsAt(List<TopicPartition> partitions, Instant at) {
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(partition -> times.put(partition, at.toEpochMilli()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(times, timeout);
        Map<TopicPartition, Long> ends = ends(partitions);
        Map<TopicPartition, Long> offsets = new HashMap<>();
        partitions.forEach(partition -> offsets.put(partition,
                found.get(partition) == null ? ends.get(partition) : found.get(partition).offset()));
        return offsets;
    }

    /** The records of each partition in {@code [from, to)}, in offset order per partition. */
    void read(Map<TopicPartition, Long> from, Map<TopicPartition, Long> to,
              java.util.function.Consumer<ConsumerRecord<String, byte[]>> each) {
        Map<TopicPartition, Long> left = new HashMap<>();
        from.forEach((partition, start) -> {
            if (start < to.get(partition)) {
                left.put(partition, to.get(partition));
            }
        });
        if (left.isEmpty()) {
            return;
        }
        consumer.assign(left.keySet());
        left.keySet().forEach(partition -> consumer.seek(partition, from.get(partition)));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!left.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + topic + " within " + timeout);
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                Long end = left.get(new TopicPartition(record.topic(), record.partition()));
                if (end != null && record.offset() < end) {
                    each.accept(record);
                }
            }
            // a partition is done at its bound, whether the last records were data or transaction markers
            left.entrySet().removeIf(bound -> consumer.position(bound.getKey()) >= bound.getValue());
            consumer.pause(left.isEmpty() ? List.of() : consumer.assignment().stream()
                    .filter(partition -> !left.containsKey(partition)).toList());
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
