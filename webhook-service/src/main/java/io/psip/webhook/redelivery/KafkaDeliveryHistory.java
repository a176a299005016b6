package io.psip.webhook.redelivery;

import io.psip.schemas.Topics;
import io.psip.schemas.kafka.KafkaSends;
import io.psip.webhook.delivery.DeliveryHistory;
import io.psip.webhook.delivery.PendingDelivery;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The delivery history on {@code psip.webhook-history}: each post a record keyed by its call uuid (so a call's
 * posts share a partition and keep their order), the value the {@link PendingDelivery} as JSON. Reading a call
 * reads its partition; reading a window starts at the window's first offset by timestamp.
 */
public class KafkaDeliveryHistory implements DeliveryHistory, DeliveryRecords {

    /** How much later than its queued_at a post may have been sent to the topic (a GC pause, a slow broker). */
    private static final Duration SEND_SLACK = Duration.ofMinutes(1);

    private final Producer<String, byte[]> producer;
    private final Supplier<Consumer<String, byte[]>> consumers;
    private final JsonMapper json;
    private final Duration timeout;
    private final int maxPosts;

    /**
     * @param timeout  how long one read may take
     * @param maxPosts the most posts one read returns; more is {@link TooManyPosts}
     */
    public KafkaDeliveryHistory(Producer<String, byte[]> producer, Supplier<Consumer<String, byte[]>> consumers,
                                JsonMapper json, Duration timeout, int maxPosts) {
        this.producer = producer;
        this.consumers = consumers;
        this.json = json;
        this.timeout = timeout;
        this.maxPosts = maxPosts;
    }

    @Override
    public CompletableFuture<Void> record(PendingDelivery delivery) {
        return KafkaSends.acknowledged(producer, () -> new ProducerRecord<>(Topics.WEBHOOK_HISTORY,
                delivery.callUuid(), json.writeValueAsBytes(delivery)));
    }

    @Override
    public List<PendingDelivery> ofCall(String callUuid) {
        return ofCalls(Set.of(callUuid));
    }

    @Override
    public List<PendingDelivery> queuedBetween(Instant from, Instant to) {
        try (PartitionScan scan = scan()) {
            List<TopicPartition> partitions = scan.partitions();
            // A record's timestamp is the producer's clock just after the post was queued, never before it: the
            // window starts at the first record of `from`; it ends a little after `to`, for records sent late.
            return read(scan, scan.offsetsAt(partitions, from), scan.offsetsAt(partitions, to.plus(SEND_SLACK)),
                    post -> !post.queuedAt().isBefore(from) && post.queuedAt().isBefore(to));
        }
    }

    @Override
    public List<PendingDelivery> ofCalls(Set<String> callUuids) {
        try (PartitionScan scan = scan()) {
            List<TopicPartition> partitions = callUuids.stream().map(scan::partitionOf).distinct().toList();
            return read(scan, scan.beginnings(partitions), scan.ends(partitions),
                    post -> callUuids.contains(post.callUuid()));
        }
    }

    private List<PendingDelivery> read(PartitionScan scan, Map<TopicPartition, Long> from,
                                       Map<TopicPartition, Long> to, Predicate<PendingDelivery> wanted) {
        List<PendingDelivery> posts = new ArrayList<>();
        scan.read(from, to, (ConsumerRecord<String, byte[]> record) -> {
            if (record.value() != null) {
                PendingDelivery post = json.readValue(record.value(), PendingDelivery.class);
                if (wanted.test(post)) {
                    if (posts.size() == maxPosts) {
                        throw new TooManyPosts(maxPosts);
                    }
                    posts.add(post);
                }
            }
        });
        return posts;
    }

    private PartitionScan scan() {
        return new PartitionScan(consumers.get(), Topics.WEBHOOK_HISTORY, timeout);
    }
}
