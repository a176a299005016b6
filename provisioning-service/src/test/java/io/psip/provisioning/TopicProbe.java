package io.psip.provisioning;

import io.psip.testsupport.TestKafka;
import io.psip.schemas.serde.AvroDeserializer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * Reads a whole topic from the beginning (every partition, no group), decoding values with the project's
 * {@link AvroDeserializer} through the registry, and collects the records of one key.
 */
public final class TopicProbe implements AutoCloseable {

    private final KafkaConsumer<String, SpecificRecord> consumer;
    private final List<ConsumerRecord<String, SpecificRecord>> records = new ArrayList<>();

    public TopicProbe(String topic) {
        AvroDeserializer<SpecificRecord> values = new AvroDeserializer<>();
        values.configure(Map.of("schema.registry.url", TestKafka.registryUrl()), false);
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false), new StringDeserializer(), values);
        // the service creates its topics (with their policies) in the background at start
        List<TopicPartition> partitions = await().atMost(Duration.ofSeconds(60))
                .until(() -> consumer.partitionsFor(topic, Duration.ofSeconds(5)).stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList(), list -> !list.isEmpty());
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Polls once more and returns every record of {@code key} seen so far, in offset order. */
    @SuppressWarnings("unchecked")
    public <V extends SpecificRecord> List<ConsumerRecord<String, V>> poll(String key) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        List<ConsumerRecord<String, V>> mine = new ArrayList<>();
        for (ConsumerRecord<String, SpecificRecord> record : records) {
            if (key.equals(record.key())) {
                mine.add((ConsumerRecord<String, V>) (ConsumerRecord<String, ?>) record);
            }
        }
        return mine;
    }

    @Override
    public void close() {
        consumer.close();
    }
}
