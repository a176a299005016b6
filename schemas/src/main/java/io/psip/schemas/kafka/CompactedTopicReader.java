package io.psip.schemas.kafka;

import io.psip.schemas.Topic;
import org.apache.avro.specific.SpecificRecord;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A {@link TopicReader} of a compacted topic from offset 0: every instance rebuilds the whole table in memory, and
 * is caught up once it has read what the topic held when it started.
 */
public final class CompactedTopicReader<V extends SpecificRecord> extends TopicReader<V> {

    /** {@code kafkaConfig}: at least {@code bootstrap.servers} and {@code schema.registry.url}. */
    public CompactedTopicReader(Topic<V> topic, Map<String, Object> kafkaConfig, BiConsumer<String, V> onRecord) {
        super(topic, Start.BEGINNING, kafkaConfig, onRecord);
    }
}
