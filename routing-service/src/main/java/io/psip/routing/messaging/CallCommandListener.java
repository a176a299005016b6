package io.psip.routing.messaging;

import io.psip.events.CallCommand;
import io.psip.routing.call.CallControl;
import io.psip.schemas.Topic;
import io.psip.schemas.kafka.TopicReader;
import io.psip.schemas.serde.AvroSerdeConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.util.Map;

/**
 * Reads every partition of this region's command topic without a consumer group, starting at the end offsets
 * taken before the instance reports ready: commands are for live calls, so older ones are never replayed.
 * Only commands addressed to this instance, for calls it holds, are carried out. A command the registry cannot
 * resolve now is waited for (the listener is then not positioned, and the instance not ready); one that can never
 * be read is skipped and counted: commands are not a table, and the call it was for ends when its command timeout
 * passes, as for a command that never came.
 */
public final class CallCommandListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CallCommandListener.class);

    private final String instanceId;
    private final CallControl calls;
    private final TopicReader<CallCommand> reader;

    public CallCommandListener(Topic<CallCommand> topic, String instanceId, String bootstrapServers,
                               String registryUrl, CallControl calls) {
        this.instanceId = instanceId;
        this.calls = calls;
        this.reader = new TopicReader<>(topic, TopicReader.Start.END, Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, registryUrl,
                ConsumerConfig.CLIENT_ID_CONFIG, "commands-" + instanceId), (key, command) -> handle(command));
    }

    public void start() {
        reader.start();
    }

    /**
     * True once the listener sits at the end offsets taken at start, so no later command can be missed, and is not
     * stuck on a command it cannot read yet.
     */
    public boolean positioned() {
        return reader.caughtUp() && !reader.failed() && reader.stuck().isEmpty();
    }

    /** True while a command the registry cannot resolve yet holds the listener. */
    public boolean stuck() {
        return reader.stuck().isPresent();
    }

    /** Commands that could never be read. */
    public long skippedCommands() {
        return reader.skippedRecords();
    }

    @Override
    public void close() {
        reader.close();
    }

    private void handle(CallCommand command) {
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
