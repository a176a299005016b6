package io.psip.schemas.kafka;

import io.psip.events.CallCommand;
import io.psip.schemas.Topics;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.concurrent.CompletableFuture;

/**
 * Publishes call commands to {@code psip.call-commands.<region>}, keyed by call uuid so a call's commands stay
 * ordered: the one adapter behind the command ports of the services that steer calls (webhook, voice).
 */
public final class KafkaCallCommands {

    private final Producer<String, CallCommand> producer;

    public KafkaCallCommands(Producer<String, CallCommand> producer) {
        this.producer = producer;
    }

    /** Completes once the broker has the command (the producer's acks=all), or exceptionally. */
    public CompletableFuture<Void> publish(CallCommand command) {
        return KafkaSends.acknowledged(producer, () -> new ProducerRecord<>(
                Topics.callCommands(command.getRegion()).name(), command.getCallUuid(), command));
    }
}
