package io.psip.webhook.messaging;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.testsupport.TestKafka;
import io.psip.webhook.IdempotentReceiver;
import io.psip.webhook.application.WebhookTarget;
import io.psip.webhook.delivery.Backoff;
import io.psip.webhook.delivery.PendingDelivery;
import io.psip.webhook.events.CallLanes;
import io.psip.webhook.events.CallStatus;
import io.psip.webhook.events.EventUrlDelivery;
import io.psip.schemas.net.Cidr;
import io.psip.webhook.http.ApacheWebhookHttp;
import io.psip.webhook.http.RequestSigner;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** event_url retries against a real HTTP server, with the dead letters and the delivery log on the real broker. */
class EventUrlRetriesTest {

    private final IdempotentReceiver eventUrl = new IdempotentReceiver();
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final JsonMapper json = JsonMapper.builder().build();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final Producer<String, byte[]> producer = new KafkaProducer<>(Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true),
            new StringSerializer(), new ByteArraySerializer());

    private final ApacheWebhookHttp http = new ApacheWebhookHttp(json, executor, new ApacheWebhookHttp.Settings(
            "test", List.of(Cidr.parse("127.0.0.1/32")), Set.of(), 16, 64, 2), new SimpleMeterRegistry());

    @AfterEach
    void close() {
        http.close();
        producer.close();
        executor.shutdownNow();
        eventUrl.close();
    }

    @Test
    void retriesShareOneIdempotencyKeyAndEndInTheDeadLetterTopicAndLeaveTheLog() throws Exception {
        new TopicCreator(TestKafka.bootstrapServers()).create(Topics.CALL_EVENTS.name(), Topics.WEBHOOK_DLQ);
        DeliveryLogTopic.create(TestKafka.bootstrapServers(), Duration.ofDays(7));
        eventUrl.answer(delivery -> 503);
        EventUrlDelivery delivery = new EventUrlDelivery(http,
                new KafkaDeadLetters(producer), new KafkaDeliveryLog(producer, json),
                posted -> CompletableFuture.completedFuture(null), new CallLanes(executor),
                new EventUrlDelivery.RetryPolicy(3, new Backoff(Duration.ofMillis(20), Duration.ofMillis(100)),
                        Duration.ofDays(7)),
                application -> RequestSigner.UNSIGNED, json, meters, executor, Clock.systemUTC());
        String call = UUID.randomUUID().toString();
        CallEvent answered = CallEvent.newBuilder().setEventId(UUID.randomUUID().toString()).setSequence(3)
                .setOccurredAt(Instant.now()).setType(CallEventType.ANSWERED).setCallUuid(call)
                .setConversationUuid("conv-" + call).setRegion("eu").setInstanceId("routing-eu-1")
                .setAccountId("psiplocal").setApplicationId("app-retries").setFrom("alice").setTo("442079460000")
                .build();
        WebhookTarget target = new WebhookTarget(URI.create(eventUrl.url("/event")), "POST",
                Duration.ofSeconds(1), Duration.ofSeconds(2));

        delivery.deliver(answered, target, CallStatus.of(answered).orElseThrow())
                .get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(30))
                .until(() -> !TestKafka.records(Topics.WEBHOOK_DLQ, call, TestKafka.bytes()).isEmpty());
        String key = PendingDelivery.idempotencyKey(answered.getEventId(), target, "answered");
        assertThat(eventUrl.received()).hasSize(3).extracting(IdempotentReceiver.Delivery::key).containsOnly(key);
        assertThat(eventUrl.conflicts()).isEmpty();
        ConsumerRecord<String, byte[]> deadLetter =
                TestKafka.records(Topics.WEBHOOK_DLQ, call, TestKafka.bytes()).get(0);
        assertThat(header(deadLetter, "idempotency_key")).isEqualTo(key);
        assertThat(header(deadLetter, "attempts")).isEqualTo("3");
        assertThat(header(deadLetter, "failure")).isEqualTo("http_status_503");
        assertThat(new String(deadLetter.value(), StandardCharsets.UTF_8)).contains("\"status\":\"answered\"");
        assertThat(meters.counter("psip.webhook.event.retries", "status", "answered").count()).isEqualTo(2);
        assertThat(meters.counter("psip.webhook.event.deliveries", "outcome", "dead_lettered", "status", "answered")
                .count()).isEqualTo(1);

        // queued in the log first, gone from it (a tombstone) once dead-lettered
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<ConsumerRecord<String, byte[]>> log =
                    TestKafka.records(Topics.WEBHOOK_DELIVERIES, call, TestKafka.bytes());
            assertThat(log).hasSize(2);
            assertThat(new String(log.get(0).value(), StandardCharsets.UTF_8)).contains(key)
                    .doesNotContain("Authorization");
            assertThat(log.get(1).value()).isNull();
        });
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(KafkaDeadLetters.HEADER_PREFIX + name).value(),
                StandardCharsets.UTF_8);
    }
}
