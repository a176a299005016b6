package io.psip.webhook.redelivery;

import io.psip.schemas.Topics;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code psip.webhook-dlq} as KafkaDeadLetters writes it: a post given up has the headers
 * {@code psip.dlq.target=event_url} and {@code psip.dlq.idempotency_key}; a call event that could not be handled
 * has {@code psip.dlq.original_topic} instead.
 */
public class KafkaDeadLetterRecords implements DeadLetterRecords {

    private static final String TARGET = "psip.dlq.target";
    private static final String IDEMPOTENCY_KEY = "psip.dlq.idempotency_key";

    private final Supplier<Consumer<String, byte[]>> consumers;
    private final Duration timeout;

    public KafkaDeadLetterRecords(Supplier<Consumer<String, byte[]>> consumers, Duration timeout) {
        this.consumers = consumers;
        this.timeout = timeout;
    }

    @Override
    public List<DeadLetter> posts() {
        List<DeadLetter> posts = new ArrayList<>();
        try (PartitionScan scan = scan()) {
            List<TopicPartition> partitions = scan.partitions();
            scan.read(scan.beginnings(partitions), scan.ends(partitions), record -> {
                String key = header(record, IDEMPOTENCY_KEY);
                if ("event_url".equals(header(record, TARGET)) && key != null && record.key() != null) {
                    posts.add(new DeadLetter(record.key(), key, Instant.ofEpochMilli(record.timestamp())));
                }
            });
        }
        return posts;
    }

    @Override
    public Summary summary() {
        try (PartitionScan scan = scan()) {
            List<TopicPartition> partitions = scan.partitions();
            Map<TopicPartition, Long> beginnings = scan.beginnings(partitions);
            Map<TopicPartition, Long> ends = scan.ends(partitions);
            long count = 0;
            Map<TopicPartition, Long> firsts = new HashMap<>();
            Map<TopicPartition, Long> afterFirsts = new HashMap<>();
            Map<TopicPartition, Long> lasts = new HashMap<>();
            for (TopicPartition partition : partitions) {
                long size = ends.get(partition) - beginnings.get(partition);
                count += size;
                if (size > 0) {
                    firsts.put(partition, beginnings.get(partition));
                    afterFirsts.put(partition, beginnings.get(partition) + 1);
                    lasts.put(partition, ends.get(partition) - 1);
                }
            }
            // only the first and the last record of each partition are read
            List<Instant> oldest = new ArrayList<>();
            List<Instant> newest = new ArrayList<>();
            scan.read(firsts, afterFirsts, record -> oldest.add(Instant.ofEpochMilli(record.timestamp())));
            scan.read(lasts, ends, record -> newest.add(Instant.ofEpochMilli(record.timestamp())));
            return new Summary(Topics.WEBHOOK_DLQ, count, oldest.stream().min(Instant::compareTo).orElse(null),
                    newest.stream().max(Instant::compareTo).orElse(null));
        }
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private PartitionScan scan() {
        return new PartitionScan(consumers.get(), Topics.WEBHOOK_DLQ, timeout);
    }
}
