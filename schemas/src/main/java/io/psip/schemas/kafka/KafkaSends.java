package io.psip.schemas.kafka;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** A Kafka send as a future of its acknowledgement: what "durable" means for the services' records. */
public final class KafkaSends {

    private KafkaSends() {
    }

    /**
     * Sends the record {@code record} builds; the future completes once the broker has it, or exceptionally if
     * building, sending or the broker failed (never by throwing here).
     */
    public static <K, V> CompletableFuture<Void> acknowledged(Producer<K, V> producer, Supplier<ProducerRecord<K, V>> record) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        try {
            producer.send(record.get(), (metadata, error) -> {
                if (error != null) {
                    sent.completeExceptionally(error);
                } else {
                    sent.complete(null);
                }
            });
        } catch (RuntimeException e) {
            sent.completeExceptionally(e);
        }
        return sent;
    }
}
