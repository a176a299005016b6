package io.psip.schemas;

import org.apache.avro.specific.SpecificRecord;

/**
 * A Kafka topic with its key and value types. Keys are always strings (aggregate id or call uuid);
 * values are Avro records in the Confluent wire format, registered under {@code <name>-value}.
 */
public record Topic<V extends SpecificRecord>(String name, Class<V> valueType, boolean compacted) {

    /** Subject of the value schema under the topic-name strategy. */
    public String valueSubject() {
        return name + "-value";
    }
}
