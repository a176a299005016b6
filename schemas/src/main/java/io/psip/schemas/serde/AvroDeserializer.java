package io.psip.schemas.serde;

import io.psip.schemas.Topics;
import io.psip.schemas.registry.SchemaRegistryClient;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kafka deserializer for the Confluent wire format. The writer schema comes from the registry by the id in the
 * record; the reader schema is the generated class of the topic ({@link Topics#forName}) unless one is given, so
 * records written with older (or newer) compatible schemas on the same topic resolve into the current class.
 * Null bytes (a tombstone) deserialize to null.
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {

    static {
        PsipEventsTrust.install();
    }

    private SchemaRegistryClient client;
    private final Class<T> fixedType;
    private final Map<ReaderKey, DatumReader<T>> readers = new ConcurrentHashMap<>();

    private record ReaderKey(int writerId, Class<?> readerType) {
    }

    /** For Kafka's reflective instantiation; {@link #configure} supplies the registry url. */
    public AvroDeserializer() {
        this(null, null);
    }

    public AvroDeserializer(SchemaRegistryClient client) {
        this(client, null);
    }

    /** Reads every record into {@code readerType}, whatever the topic. */
    public AvroDeserializer(SchemaRegistryClient client, Class<T> readerType) {
        this.client = client;
        this.fixedType = readerType;
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        if (client == null) {
            client = AvroSerdeConfig.client(configs);
        }
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        if (client == null) {
            throw new SerializationException("AvroDeserializer is not configured: " + AvroSerdeConfig.SCHEMA_REGISTRY_URL + " missing");
        }
        if (data.length < AvroSerdeConfig.HEADER_SIZE || data[0] != AvroSerdeConfig.MAGIC_BYTE) {
            throw new SerializationException("record on topic " + topic + " is not in the Confluent Avro wire format ("
                    + data.length + " bytes, first byte " + (data.length > 0 ? data[0] : "none") + ")");
        }
        int id = ByteBuffer.wrap(data, 1, 4).getInt();
        try {
            Class<T> readerType = readerType(topic);
            DatumReader<T> reader = readers.computeIfAbsent(new ReaderKey(id, readerType), key -> newReader(id, readerType));
            BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(data, AvroSerdeConfig.HEADER_SIZE,
                    data.length - AvroSerdeConfig.HEADER_SIZE, null);
            return reader.read(null, decoder);
        } catch (SerializationException e) {
            throw e;
        } catch (Exception e) {
            throw new SerializationException("cannot deserialize record with schema id " + id + " on topic " + topic
                    + ": " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private Class<T> readerType(String topic) {
        if (fixedType != null) {
            return fixedType;
        }
        try {
            return (Class<T>) Topics.forName(topic).valueType();
        } catch (IllegalArgumentException e) {
            throw new SerializationException("no reader type for topic " + topic + ": " + e.getMessage(), e);
        }
    }

    private DatumReader<T> newReader(int writerId, Class<T> readerType) {
        Schema writer = client.getById(writerId);
        SpecificData model = SpecificData.getForClass(readerType);
        return new SpecificDatumReader<>(writer, model.getSchema(readerType), model);
    }
}
