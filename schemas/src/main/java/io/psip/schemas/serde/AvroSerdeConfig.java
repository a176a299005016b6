package io.psip.schemas.serde;

import io.psip.schemas.registry.SchemaRegistryClient;
import org.apache.kafka.common.config.ConfigException;

import java.util.Map;

/** Config keys shared by {@link AvroSerializer} and {@link AvroDeserializer} (same names as Confluent's). */
public final class AvroSerdeConfig {

    public static final String SCHEMA_REGISTRY_URL = "schema.registry.url";
    public static final String AUTO_REGISTER_SCHEMAS = "auto.register.schemas";

    /** Confluent wire format: magic byte 0, then a 4-byte big-endian schema id, then Avro binary. */
    static final byte MAGIC_BYTE = 0;
    static final int HEADER_SIZE = 5;

    private AvroSerdeConfig() {
    }

    static SchemaRegistryClient client(Map<String, ?> configs) {
        Object url = configs.get(SCHEMA_REGISTRY_URL);
        if (url == null || url.toString().isBlank()) {
            throw new ConfigException(SCHEMA_REGISTRY_URL + " is required");
        }
        // Confluent allows a comma-separated list; psip runs one registry, so take the first.
        return new SchemaRegistryClient(url.toString().split(",")[0].trim());
    }

    static boolean autoRegister(Map<String, ?> configs) {
        Object value = configs.get(AUTO_REGISTER_SCHEMAS);
        return value == null || Boolean.parseBoolean(value.toString());
    }

    static String subject(String topic, boolean isKey) {
        return topic + (isKey ? "-key" : "-value");
    }
}
