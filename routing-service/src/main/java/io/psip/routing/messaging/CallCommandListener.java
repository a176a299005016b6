package io.psip.routing.messaging;

import io.psip.events.CallCommand;
import io.psip.routing.call.CallControl;
import io.psip.schemas.Topic;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.schemas.serde.AvroDeserializer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads every partition of this region's command topic without a consumer group, starting at the end offsets
 * taken before the instance reports ready: commands are for live calls, so older ones are never replayed.
 * Only commands addressed to this instance, for calls it holds, are carried out.
 */
public final class CallCommandListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CallCommandListener.class);

    private final Topic<CallCommand> topic;
    private final String instanceId;
    private final Map<String, Object> consumerConfig;
    private final AvroDeserializer<CallCommand> deserializer;
    private final CallControl calls;
    private final Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile boolean running;
    private volatile boolean positioned;
    private volatile Throwable failure;

    public CallCommandListener(Topic<CallCommand> topic, String instanceId, String bootstrapServers,
                               String registryUrl, CallControl calls) {
        this.topic = topic;
        this.instanceId = instanceId;
        this.calls = calls;
        this.deserializer = new AvroDeserializer<>(new SchemaRegistryClient(registryUrl), CallCommand.class);
        this.consumerConfig = new HashMap<>();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        consumerConfig.put(ConsumerConfig.CLIENT_ID_CONFIG, "commands-" + instanceId);
        // fetch.max.wait.ms stays at its default: with fetch.min.bytes 1 the broker answers as soon as a command
        // arrives, so a shorter wait adds only idle round trips (CPU on both sides), not speed.
        this.thread = new Thread(this::run, "call-commands");
        thread.setDaemon(true);
    }

    public void start() {
        running = true;
        thread.start();
    }

    /** True once the listener sits at the end offsets taken at start, so no later command can be missed. */
    public boolean positioned() {
        return positioned && failure == null;
    }

    @Override
    public void close() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            consumer = c;
            List<TopicPartition> partitions = partitions(c);
            if (partitions.isEmpty()) {
                return;
            }
            c.assign(partitions);
            c.endOffsets(partitions).forEach(c::seek);
            partitions.forEach(c::position); // resolve now, so "positioned" is true only once it really is
            positioned = true;
            log.info("listening for commands on {} ({} partitions) as {}", topic.name(), partitions.size(),
                    instanceId);
            while (running) {
                for (ConsumerRecord<String, byte[]> record : c.poll(Duration.ofMillis(500))) {
                    handle(record);
                }
            }
        } catch (WakeupException e) {
            if (running) {
                failure = e;
            }
        } catch (RuntimeException e) {
            failure = e;
            log.error("command listener on {} stopped", topic.name(), e);
        }
    }

    /** A topic created moments ago may not be in the metadata yet; wait for it while running. */
    private List<TopicPartition> partitions(KafkaConsumer<String, byte[]> c) {
        while (running) {
            List<TopicPartition> partitions = c.partitionsFor(topic.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (!partitions.isEmpty()) {
                return partitions;
            }
            log.warn("no partitions for {} yet; waiting", topic.name());
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return List.of();
    }

    private void handle(ConsumerRecord<String, byte[]> record) {
        CallCommand command;
        try {
            command = deserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (RuntimeException e) {
            log.error("skipping unreadable command {}-{}@{}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return;
        }
        if (command == null || !instanceId.equals(command.getInstanceId())) {
            return;
        }
        MDC.put("call_uuid", command.getCallUuid());
        try {
            if (calls.execute(command)) {
                log.debug("command {} {} accepted", command.getAction(), command.getCommandId());
            } else {
                log.info("command {} {} is for a call this instance does not hold", command.getAction(),
                        command.getCommandId());
            }
        } finally {
            MDC.remove("call_uuid");
        }
    }
}
