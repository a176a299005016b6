package io.psip.webhook.messaging;

import io.psip.testsupport.TestKafka;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.schemas.Topics;
import io.psip.schemas.serde.AvroSerdeConfig;
import io.psip.schemas.serde.AvroSerializer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.KafkaHeaders;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeadLetterValueSerializerTest {

    private final Map<String, Object> config = Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, TestKafka.registryUrl());

    @Test
    void aDecodedRecordIsWrittenAsItWasOnItsOriginalTopic() {
        DeadLetterValueSerializer serializer = new DeadLetterValueSerializer();
        serializer.configure(config, false);
        AvroSerializer<CallEvent> original = new AvroSerializer<>();
        original.configure(config, false);
        CallEvent event = CallEvent.newBuilder()
                .setEventId("e-1").setSequence(1).setOccurredAt(Instant.ofEpochMilli(1_700_000_000_000L))
                .setType(CallEventType.OFFERED).setCallUuid("call-1").setConversationUuid("conv-1")
                .setRegion("eu").setInstanceId("routing-eu-1").setFrom("alice").setTo("bob")
                .build();
        RecordHeaders headers = new RecordHeaders();
        headers.add(KafkaHeaders.DLT_ORIGINAL_TOPIC, Topics.CALL_EVENTS.name().getBytes(StandardCharsets.UTF_8));

        byte[] deadLetter = serializer.serialize(Topics.WEBHOOK_DLQ, headers, event);

        assertThat(deadLetter).isEqualTo(original.serialize(Topics.CALL_EVENTS.name(), event));
    }

    @Test
    void rawBytesPassThroughAndARecordWithoutItsOriginalTopicIsRefused() {
        DeadLetterValueSerializer serializer = new DeadLetterValueSerializer();
        serializer.configure(config, false);
        byte[] poison = {1, 2, 3};

        assertThat(serializer.serialize(Topics.WEBHOOK_DLQ, new RecordHeaders(), poison)).isSameAs(poison);
        assertThatThrownBy(() -> serializer.serialize(Topics.WEBHOOK_DLQ, new RecordHeaders(),
                CallEvent.newBuilder().setEventId("e").setSequence(1).setOccurredAt(Instant.now())
                        .setType(CallEventType.RINGING).setCallUuid("c").setConversationUuid("c").setRegion("us")
                        .setInstanceId("i").setFrom("a").setTo("b").build()))
                .isInstanceOf(SerializationException.class);
    }
}
