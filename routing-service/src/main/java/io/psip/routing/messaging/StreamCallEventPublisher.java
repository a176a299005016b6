package io.psip.routing.messaging;

import io.psip.events.CallEvent;
import io.psip.routing.call.CallEventPublisher;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.support.MessageBuilder;

/**
 * Sends call events through the Spring Cloud Stream Kafka binder. The binding uses native encoding, so the
 * project's Confluent-wire {@code AvroSerializer} runs inside the Kafka producer; the key is the call uuid, which
 * keeps each call's events in order on one partition.
 */
public final class StreamCallEventPublisher implements CallEventPublisher {

    static final String BINDING = "callEvents-out-0";

    private final StreamBridge bridge;

    public StreamCallEventPublisher(StreamBridge bridge) {
        this.bridge = bridge;
    }

    @Override
    public void publish(CallEvent event) {
        bridge.send(BINDING, MessageBuilder.withPayload(event).setHeader(KafkaHeaders.KEY, event.getCallUuid()).build());
    }
}
