package io.psip.schemas.serde;

import io.psip.events.CallCommand;
import io.psip.events.DomainChanged;
import io.psip.registry.TestKafka;
import io.psip.schemas.Fixtures;
import io.psip.schemas.Topics;
import io.psip.schemas.registry.SchemaRegistryClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class AvroSerdeIntegrationTest {

    private static String registryUrl;
    private static String bootstrap;

    @BeforeAll
    static void start() {
        registryUrl = TestKafka.registry().url();
        bootstrap = TestKafka.bootstrapServers();
        TestKafka.createTopics(Topics.DOMAINS.name());
    }

    @Test
    void roundTripsRecordsAndTombstonesThroughKafka() {
        Map<String, Object> producerConfig = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, AvroSerializer.class,
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, registryUrl);
        DomainChanged acme = Fixtures.domain("acme", 1);
        try (KafkaProducer<String, DomainChanged> producer = new KafkaProducer<>(producerConfig)) {
            producer.send(new ProducerRecord<>(Topics.DOMAINS.name(), "acme", acme));
            producer.send(new ProducerRecord<>(Topics.DOMAINS.name(), "acme", null));
        }

        Map<String, Object> consumerConfig = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "serde-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, AvroDeserializer.class,
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, registryUrl);
        List<ConsumerRecord<String, DomainChanged>> received = new ArrayList<>();
        try (KafkaConsumer<String, DomainChanged> consumer = new KafkaConsumer<>(consumerConfig)) {
            consumer.subscribe(List.of(Topics.DOMAINS.name()));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return received.size() >= 2;
            });
        }
        assertThat(received.get(0).value()).isEqualTo(acme);
        assertThat(received.get(1).key()).isEqualTo("acme");
        assertThat(received.get(1).value()).isNull();
    }

    @Test
    void writesTheConfluentWireFormatUnderTheTopicSubject() {
        SchemaRegistryClient client = new SchemaRegistryClient(registryUrl);
        AvroSerializer<DomainChanged> serializer = new AvroSerializer<>(client);
        byte[] bytes = serializer.serialize("psip.domains", Fixtures.domain("wire", 1));

        assertThat(bytes[0]).isZero();
        int id = ByteBuffer.wrap(bytes, 1, 4).getInt();
        assertThat(id).isEqualTo(client.lookup("psip.domains-value", DomainChanged.getClassSchema()));
        assertThat(client.getById(id)).isEqualTo(DomainChanged.getClassSchema());
        assertThat(serializer.serialize("psip.domains", null)).isNull();
    }

    @Test
    void keySerializerUsesTheKeySubject() {
        SchemaRegistryClient client = new SchemaRegistryClient(registryUrl);
        AvroSerializer<DomainChanged> serializer = new AvroSerializer<>(client);
        serializer.configure(Map.of(), true);
        serializer.serialize("serde-key-topic", Fixtures.domain("key", 1));
        assertThat(client.subjects()).contains("serde-key-topic-key").doesNotContain("serde-key-topic-value");
    }

    @Test
    void readerTypeComesFromTheTopicName() {
        AvroSerializer<CallCommand> serializer = new AvroSerializer<>(new SchemaRegistryClient(registryUrl));
        AvroDeserializer<CallCommand> deserializer = new AvroDeserializer<>();
        deserializer.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registryUrl), false);
        CallCommand command = Fixtures.connect("call-1");

        String topic = Topics.callCommands("eu").name();
        assertThat(deserializer.deserialize(topic, serializer.serialize(topic, command))).isEqualTo(command);
        assertThat(deserializer.deserialize(topic, null)).isNull();
    }

    @Test
    void failuresAreSerializationExceptionsWithAClearMessage() {
        SchemaRegistryClient client = new SchemaRegistryClient(registryUrl);
        AvroDeserializer<DomainChanged> deserializer = new AvroDeserializer<>(client);
        byte[] valid = new AvroSerializer<DomainChanged>(client).serialize("psip.domains", Fixtures.domain("x", 1));

        assertThatThrownBy(() -> deserializer.deserialize("psip.domains", new byte[]{'{', '}'}))
                .isInstanceOf(SerializationException.class).hasMessageContaining("wire format");
        assertThatThrownBy(() -> deserializer.deserialize("some.other.topic", valid))
                .isInstanceOf(SerializationException.class).hasMessageContaining("some.other.topic");
        byte[] unknownId = valid.clone();
        ByteBuffer.wrap(unknownId, 1, 4).putInt(987_654);
        assertThatThrownBy(() -> deserializer.deserialize("psip.domains", unknownId))
                .isInstanceOf(SerializationException.class).hasMessageContaining("987654");
        byte[] truncated = java.util.Arrays.copyOf(valid, 12);
        assertThatThrownBy(() -> deserializer.deserialize("psip.domains", truncated))
                .isInstanceOf(SerializationException.class);

        AvroSerializer<DomainChanged> noAutoRegister = new AvroSerializer<>();
        noAutoRegister.configure(Map.of(AvroSerdeConfig.SCHEMA_REGISTRY_URL, registryUrl,
                AvroSerdeConfig.AUTO_REGISTER_SCHEMAS, "false"), false);
        assertThatThrownBy(() -> noAutoRegister.serialize("serde-unregistered", Fixtures.domain("y", 1)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("serde-unregistered-value");

        assertThatThrownBy(() -> new AvroSerializer<DomainChanged>().configure(Map.of(), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining(AvroSerdeConfig.SCHEMA_REGISTRY_URL);
    }

    @Test
    void aSchemaTheSubjectRefusesCannotBeWritten() {
        SchemaRegistryClient client = new SchemaRegistryClient(registryUrl);
        client.register("serde-refused-value", SchemaBuilder.record("io.psip.events.DomainChanged").fields()
                .requiredString("only").endRecord());
        AvroSerializer<DomainChanged> serializer = new AvroSerializer<>(client);
        assertThatThrownBy(() -> serializer.serialize("serde-refused", Fixtures.domain("z", 1)))
                .isInstanceOf(SerializationException.class).hasMessageContaining("409");
    }
}
