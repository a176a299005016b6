package io.psip.voice.messaging;

import io.psip.events.CallCommand;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.KafkaSends;
import io.psip.voice.calls.CallCommands;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.concurrent.CompletableFuture;

/** Publishes to {@code psip.call-commands.<region>}, keyed by call uuid so a call's commands stay ordered. */
public class KafkaCallCommands implements CallCommands {

    private final Producer<String, CallCommand> producer;

    public KafkaCallCommands(Producer<String, CallCommand> producer) {
        this.producer = producer;
    }

    @Override
    public CompletableFuture<Void> publish(CallCommand command) {
        return KafkaSends.acknowledged(producer, () -> new ProducerRecord<>(
                Topics.callCommands(command.getRegion()).name(), command.getCallUuid(), command));
    }
}
