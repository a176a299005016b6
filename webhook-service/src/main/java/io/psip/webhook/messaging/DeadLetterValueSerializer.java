package io.psip.webhook.messaging;

import io.psip.schemas.serde.AvroSerializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;
import org.springframework.kafka.support.KafkaHeaders;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes a dead-lettered consumer record as it was on its topic: raw bytes (a record that could not be
 * deserialized) pass through; a decoded Avro record (one whose processing failed) is encoded again for its
 * original topic's subject, so the dead letter reads like the original.
 */
public class DeadLetterValueSerializer implements Serializer<Object> {

    private final AvroSerializer<SpecificRecord> avro = new AvroSerializer<>();

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        avro.configure(configs, isKey);
    }

    @Override
    public byte[] serialize(String topic, Object data) {
        return serialize(topic, null, data);
    }

    @Override
    public byte[] serialize(String topic, Headers headers, Object data) {
        if (data == null || data instanceof byte[]) {
            return (byte[]) data;
        }
        if (data instanceof SpecificRecord record) {
            Header original = headers == null ? null : headers.lastHeader(KafkaHeaders.DLT_ORIGINAL_TOPIC);
            if (original == null) {
                throw new SerializationException("dead letter without its original topic header");
            }
            return avro.serialize(new String(original.value(), StandardCharsets.UTF_8), record);
        }
        throw new SerializationException("cannot dead-letter a " + data.getClass().getName());
    }
}
