package io.psip.webhook.messaging;

import io.psip.schemas.Topics;
import io.psip.schemas.kafka.KafkaSends;
import io.psip.webhook.delivery.DeliveryLog;
import io.psip.webhook.delivery.PendingDelivery;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The delivery log on {@code psip.webhook-deliveries}. A call's entry (key: call uuid, so it shares the partition
 * number of the call's events) holds its pending deliveries, a tombstone once none is left. One more entry per
 * partition, under {@link #WATERMARK_KEY} and written to that partition explicitly, holds the call-events offset
 * below which every event is handled: what a consumer that has no offsets of its own (a new group replaying the
 * topic) starts from, so old statuses are not posted again.
 */
public class KafkaDeliveryLog implements DeliveryLog {

    /** Not a uuid, so never a call's key. */
    static final String WATERMARK_KEY = "~handled-below";

    /** One value of the log: a call's pending deliveries, or a partition's watermark. */
    record Entry(List<PendingDelivery> pending, Long handledBelow) {
    }

    private final Producer<String, byte[]> producer;
    private final JsonMapper json;

    public KafkaDeliveryLog(Producer<String, byte[]> producer, JsonMapper json) {
        this.producer = producer;
        this.json = json;
    }

    @Override
    public CompletableFuture<Void> write(String callUuid, List<PendingDelivery> pending) {
        byte[] value = pending.isEmpty() ? null : json.writeValueAsBytes(new Entry(pending, null));
        return send(new ProducerRecord<>(Topics.WEBHOOK_DELIVERIES, callUuid, value));
    }

    /** Every call event of {@code partition} below {@code offset} is handled. */
    public CompletableFuture<Void> watermark(int partition, long offset) {
        return send(new ProducerRecord<>(Topics.WEBHOOK_DELIVERIES, partition, WATERMARK_KEY,
                json.writeValueAsBytes(new Entry(null, offset))));
    }

    /** Makes the writes so far visible, before a partition goes to another instance. */
    public void flush() {
        producer.flush();
    }

    Entry read(byte[] value) {
        return json.readValue(value, Entry.class);
    }

    private CompletableFuture<Void> send(ProducerRecord<String, byte[]> record) {
        return KafkaSends.acknowledged(producer, () -> record);
    }
}
