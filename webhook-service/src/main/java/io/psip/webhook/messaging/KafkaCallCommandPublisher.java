package io.psip.webhook.messaging;

import io.psip.events.CallCommand;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.KafkaSends;
import io.psip.webhook.events.CallCommandPublisher;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.concurrent.CompletableFuture;

/** Publishes commands to {@code psip.call-commands.<region>}, keyed by call uuid so a call's commands stay ordered. */
public class KafkaCallCommandPublisher implements CallCommandPublisher {

    private final Producer<String, CallCommand> producer;

    public KafkaCallCommandPublisher(Producer<String, CallCommand> producer) {
        this.producer = producer;
    }

    @Override
    public CompletableFuture<Void> publish(CallCommand command) {
        return KafkaSends.acknowledged(producer, () -> new ProducerRecord<>(
                Topics.callCommands(command.getRegion()).name(), command.getCallUuid(), command));
    }
}
