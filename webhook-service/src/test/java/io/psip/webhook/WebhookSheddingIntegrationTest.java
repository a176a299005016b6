package io.psip.webhook;

import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEventType;
import io.psip.events.Webhook;
import io.psip.testsupport.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.psip.webhook.events.CallLanes;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;

import static io.psip.webhook.TestTopics.awaitCommand;
import static io.psip.webhook.TestTopics.publishApplication;
import static io.psip.webhook.TestTopics.publishCallEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shedding on the real broker with a real, deliberately slow customer: offers the service cannot take in time get
 * REJECT 503 at once (routing would otherwise fail them with 480 at its command timeout), the admitted ones are
 * connected, and nothing stays behind.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext // closed after the class: another context in the same consumer group would take partitions
class WebhookSheddingIntegrationTest {

    private static final int MAX_ACTIVE_CALLS = 3;
    private static final String CONNECT = """
            [{"action":"connect","endpoint":[{"type":"sip","uri":"sip:agent@127.0.0.1:5090"}]}]""";

    private static final CustomerWebhooks customer = new CustomerWebhooks();

    @Autowired
    CallLanes lanes;

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) {
        registry.add("psip.kafka.bootstrap-servers", TestKafka::bootstrapServers);
        registry.add("psip.schema-registry.url", TestKafka::registryUrl);
        registry.add("psip.webhook.http.allow", () -> "127.0.0.1/32"); // the customer's test server
        registry.add("psip.webhook.max-active-calls", () -> Integer.toString(MAX_ACTIVE_CALLS));
        // Generous, so a loaded machine does not make fresh offers late; the stale offer below is far older.
        registry.add("psip.webhook.answer-deadline", () -> "120s");
        registry.add("psip.webhook.max-offer-age", () -> "30s");
    }

    @AfterAll
    static void stopCustomer() {
        customer.close();
    }

    @Test
    void withASlowAnswerUrlTheOffersBeyondTheLimitAreRejectedWith503AndTheOthersConnected() {
        CountDownLatch answerUrlSlow = new CountDownLatch(1);
        customer.on("/slow/answer", request -> {
            try {
                answerUrlSlow.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new CustomerWebhooks.Response(200, CONNECT);
        });
        publishApplication("app-shed", webhook("/slow/answer"), null, webhook("/slow/event"));
        List<String> admitted = calls(MAX_ACTIVE_CALLS);
        admitted.forEach(call -> publishCallEvent(call, "app-shed", "eu", CallEventType.OFFERED, 1, Map.of(), null));
        await().until(() -> customer.requests("/slow/answer").size() == MAX_ACTIVE_CALLS);

        List<String> excess = calls(5);
        excess.forEach(call -> publishCallEvent(call, "app-shed", "eu", CallEventType.OFFERED, 1, Map.of(), null));

        excess.forEach(call -> assertThat(awaitCommand("eu", call).value()).satisfies(command -> {
            assertThat(command.getAction()).isEqualTo(CallAction.REJECT);
            assertThat(command.getSipCode()).isEqualTo(503);
        }));
        answerUrlSlow.countDown();
        admitted.forEach(call ->
                assertThat(awaitCommand("eu", call).value().getAction()).isEqualTo(CallAction.CONNECT));
        assertThat(customer.requests("/slow/answer")).hasSize(MAX_ACTIVE_CALLS);

        await().until(() -> lanes.activeCalls() == 0);
        String later = UUID.randomUUID().toString();
        publishCallEvent(later, "app-shed", "eu", CallEventType.OFFERED, 1, Map.of(), null);
        assertThat(awaitCommand("eu", later).value().getAction()).isEqualTo(CallAction.CONNECT);
    }

    @Test
    void anOfferThatWaitedTooLongInTheTopicIsRejectedWith503WithoutAskingAnswerUrl() {
        customer.on("/late/answer", request -> new CustomerWebhooks.Response(200, CONNECT));
        publishApplication("app-late", webhook("/late/answer"), null, webhook("/late/event"));
        String call = UUID.randomUUID().toString();

        publishCallEvent(call, "app-late", "us", CallEventType.OFFERED, 1, Map.of(), null,
                Instant.now().minus(Duration.ofSeconds(60)));

        ConsumerRecord<String, CallCommand> command = awaitCommand("us", call);
        assertThat(command.value().getAction()).isEqualTo(CallAction.REJECT);
        assertThat(command.value().getSipCode()).isEqualTo(503);
        assertThat(customer.requests("/late/answer")).isEmpty();
    }

    private static List<String> calls(int count) {
        return IntStream.range(0, count).mapToObj(i -> UUID.randomUUID().toString()).toList();
    }

    /** socket_timeout far beyond the test, so the slow answer_url is slow rather than failed. */
    private static Webhook webhook(String path) {
        return new Webhook(customer.url(path), "GET", 1000, 100_000);
    }
}
