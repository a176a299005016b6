package io.psip.webhook;

import io.psip.events.ApplicationChanged;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.ChangeType;
import io.psip.events.Webhook;
import io.psip.schemas.Topics;
import io.psip.testsupport.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;

/** What provisioning and routing would put on the topics, and the commands routing would read back. */
final class TestTopics {

    private static final AtomicLong versions = new AtomicLong();

    private TestTopics() {
    }

    static void publishApplication(String id, Webhook answer, Webhook fallback, Webhook event) {
        TestKafka.send(Topics.APPLICATIONS.name(), id, ApplicationChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setVersion(versions.incrementAndGet())
                .setOccurredAt(Instant.now())
                .setChangeType(ChangeType.CREATED)
                .setApplicationId(id)
                .setAccountId("psiplocal")
                .setName(id)
                .setAnswerUrl(answer)
                .setFallbackAnswerUrl(fallback)
                .setEventUrl(event)
                .build());
    }

    static void publishCallEvent(String call, String app, String region, CallEventType type, long sequence,
                                 Map<String, String> headers, Integer duration) {
        publishCallEvent(call, app, region, type, sequence, headers, duration, Instant.now());
    }

    static void publishCallEvent(String call, String app, String region, CallEventType type, long sequence,
                                 Map<String, String> headers, Integer duration, Instant occurredAt) {
        publishCallEvent(callEvent(call, app, region, type, sequence).setCustomHeaders(headers)
                .setDurationSeconds(duration).setOccurredAt(occurredAt));
    }

    /** A call event of a domain call from alice to 442079460000, to adjust before {@link #publishCallEvent}. */
    static CallEvent.Builder callEvent(String call, String app, String region, CallEventType type, long sequence) {
        return CallEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setSequence(sequence)
                .setOccurredAt(Instant.now())
                .setType(type)
                .setCallUuid(call)
                .setConversationUuid("conv-" + call)
                .setRegion(region)
                .setInstanceId("routing-" + region + "-1")
                .setAccountId("psiplocal")
                .setApplicationId(app)
                .setDomain("acme")
                .setFrom("alice")
                .setTo("442079460000");
    }

    static void publishCallEvent(CallEvent.Builder event) {
        TestKafka.send(Topics.CALL_EVENTS.name(), event.getCallUuid(), event.build());
    }

    static List<ConsumerRecord<String, CallCommand>> commands(String region, String call) {
        return TestKafka.records(Topics.callCommands(region).name(), call, TestKafka.avro(CallCommand.class));
    }

    static ConsumerRecord<String, CallCommand> awaitCommand(String region, String call) {
        await().atMost(Duration.ofSeconds(20)).until(() -> !commands(region, call).isEmpty());
        return commands(region, call).get(0);
    }
}
