package io.psip.schemas.serde;

import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.registry.TestKafka;
import io.psip.schemas.Topics;
import io.psip.schemas.registry.SchemaRegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Records written by a producer still on CallEvent v1 are read into the current CallEvent class. */
class OldWriterSchemaTest {

    @Test
    void aRecordWrittenWithV1IsResolvedByItsIdIntoTheCurrentClass() throws Exception {
        SchemaRegistryClient client = new SchemaRegistryClient(TestKafka.registry().url());
        Schema v1 = historySchema("CallEvent", 1);
        assertThat(v1.getField("direction")).isNull();
        String topic = Topics.CALL_EVENTS.name();
        int v1Id = client.register(Topics.CALL_EVENTS.valueSubject(), v1);
        int currentId = client.register(Topics.CALL_EVENTS.valueSubject(), CallEvent.getClassSchema());
        assertThat(currentId).isNotEqualTo(v1Id);

        GenericRecord old = new GenericData.Record(v1);
        old.put("event_id", "e-1");
        old.put("sequence", 3L);
        old.put("occurred_at", 1_760_000_000_123L);
        old.put("type", new GenericData.EnumSymbol(v1.getField("type").schema(), "ANSWERED"));
        old.put("call_uuid", "call-1");
        old.put("conversation_uuid", "conv-1");
        old.put("region", "eu");
        old.put("instance_id", "routing-eu-1");
        old.put("from", "441234");
        old.put("to", "449876");
        old.put("custom_headers", Map.of("X-UserId", "ABC123"));

        AvroDeserializer<CallEvent> deserializer = new AvroDeserializer<>();
        deserializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, TestKafka.registry().url()), false);
        CallEvent event = deserializer.deserialize(topic, wire(v1Id, v1, old));

        assertThat(event.getType()).isEqualTo(CallEventType.ANSWERED);
        assertThat(event.getSequence()).isEqualTo(3L);
        assertThat(event.getOccurredAt().toEpochMilli()).isEqualTo(1_760_000_000_123L);
        assertThat(event.getCustomHeaders()).containsEntry("X-UserId", "ABC123");
        assertThat(event.getDirection()).as("field added in v2 takes its default").isNull();

        // and the current writer on the same topic, side by side
        CallEvent current = CallEvent.newBuilder(event).setDirection("outbound").build();
        byte[] bytes = new AvroSerializer<CallEvent>(client).serialize(topic, current);
        assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(currentId);
        assertThat(deserializer.deserialize(topic, bytes).getDirection()).isEqualTo("outbound");
    }

    private static Schema historySchema(String name, int version) throws Exception {
        try (InputStream in = OldWriterSchemaTest.class.getResourceAsStream("/avro-history/" + name + "/v" + version + ".avsc")) {
            assertThat(in).as("history file on the classpath of the schemas jar").isNotNull();
            return new Schema.Parser().parse(in);
        }
    }

    private static byte[] wire(int id, Schema schema, GenericRecord record) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0);
        out.write(ByteBuffer.allocate(4).putInt(id).array());
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        new GenericDatumWriter<GenericRecord>(schema).write(record, encoder);
        encoder.flush();
        return out.toByteArray();
    }
}
