package io.psip.schemas.serde;

import io.psip.schemas.registry.SchemaRegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kafka serializer writing Avro specific records in the Confluent wire format, subject {@code <topic>-value}
 * (or {@code <topic>-key}). With {@code auto.register.schemas=false} the schema must already be registered.
 * A null record is a tombstone and serializes to null.
 */
public class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {

    static {
        PsipEventsTrust.install();
    }

    private SchemaRegistryClient client;
    private boolean autoRegister = true;
    private boolean isKey;
    private final Map<Schema, DatumWriter<T>> writers = new ConcurrentHashMap<>();

    /** For Kafka's reflective instantiation; {@link #configure} supplies the registry url. */
    public AvroSerializer() {
    }

    public AvroSerializer(SchemaRegistryClient client) {
        this(client, true);
    }

    public AvroSerializer(SchemaRegistryClient client, boolean autoRegister) {
        this.client = client;
        this.autoRegister = autoRegister;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
        if (configs.containsKey(AvroSerdeConfig.AUTO_REGISTER_SCHEMAS)) {
            this.autoRegister = AvroSerdeConfig.autoRegister(configs);
        }
        if (client == null) {
            client = AvroSerdeConfig.client(configs);
        }
    }

    @Override
    public byte[] serialize(String topic, T data) {
        if (data == null) {
            return null;
        }
        if (client == null) {
            throw new SerializationException("AvroSerializer is not configured: " + AvroSerdeConfig.SCHEMA_REGISTRY_URL + " missing");
        }
        Schema schema = data.getSchema();
        String subject = AvroSerdeConfig.subject(topic, isKey);
        try {
            // the client caches ids per (subject, schema), so only the first record of a schema calls the registry
            int id = autoRegister ? client.register(subject, schema) : client.lookup(subject, schema);
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            out.write(AvroSerdeConfig.MAGIC_BYTE);
            out.write(ByteBuffer.allocate(4).putInt(id).array());
            BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
            writer(schema, data).write(data, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException("cannot serialize " + schema.getFullName() + " for topic " + topic
                    + " (subject " + subject + "): " + e.getMessage(), e);
        }
    }

    private DatumWriter<T> writer(Schema schema, T data) {
        return writers.computeIfAbsent(schema,
                s -> new SpecificDatumWriter<>(s, SpecificData.getForClass(data.getClass())));
    }
}
