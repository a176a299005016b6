package io.psip.webhook.messaging;

import io.psip.schemas.Topics;
import io.psip.webhook.events.DeadLetters;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Webhook deliveries that failed for good, on {@code psip.webhook-dlq} keyed by call uuid: the value is the JSON
 * that was not delivered, headers {@code psip.dlq.<detail>} say where to and why.
 */
public class KafkaDeadLetters implements DeadLetters {

    static final String HEADER_PREFIX = "psip.dlq.";

    private final Producer<String, byte[]> producer;

    public KafkaDeadLetters(Producer<String, byte[]> producer) {
        this.producer = producer;
    }

    @Override
    public CompletableFuture<Void> deadLetter(String callUuid, byte[] payload, Map<String, String> details) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(Topics.WEBHOOK_DLQ, callUuid, payload);
        details.forEach((name, value) ->
                record.headers().add(HEADER_PREFIX + name, value.getBytes(StandardCharsets.UTF_8)));
        CompletableFuture<Void> sent = new CompletableFuture<>();
        producer.send(record, (metadata, error) -> {
            if (error != null) {
                sent.completeExceptionally(error);
            } else {
                sent.complete(null);
            }
        });
        return sent;
    }
}
