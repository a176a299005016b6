package io.psip.schemas.kafka;

import io.psip.schemas.Topic;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A {@link TopicReader} of a compacted topic from offset 0: every instance rebuilds the whole table in memory, and
 * is caught up once it has read what the topic held when it started. A record it can never read is a table change
 * it would otherwise miss: it goes to the table dead-letter topic, and the reader reports it until acknowledged.
 */
public final class CompactedTopicReader<V extends SpecificRecord> extends TopicReader<V> {

    /** {@code kafkaConfig}: at least {@code bootstrap.servers} and {@code schema.registry.url}; dead letters name its client.id. */
    public CompactedTopicReader(Topic<V> topic, Map<String, Object> kafkaConfig, BiConsumer<String, V> onRecord) {
        this(topic, String.valueOf(kafkaConfig.getOrDefault(ConsumerConfig.CLIENT_ID_CONFIG, "topic-reader")),
                kafkaConfig, onRecord);
    }

    /** {@code readerId}: who dead-lettered a record (the instance id), in its {@code psip.dlq.reader} header. */
    public CompactedTopicReader(Topic<V> topic, String readerId, Map<String, Object> kafkaConfig,
                                BiConsumer<String, V> onRecord) {
        super(topic, Start.BEGINNING, Poison.deadLetter(readerId), kafkaConfig, onRecord);
    }
}
