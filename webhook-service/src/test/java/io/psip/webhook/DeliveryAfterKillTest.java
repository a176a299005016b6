package io.psip.webhook;

import io.psip.events.CallEventType;
import io.psip.events.Webhook;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.testsupport.ChildJvm;
import io.psip.testsupport.FreePorts;
import io.psip.testsupport.TestKafka;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.psip.webhook.TestTopics.publishApplication;
import static io.psip.webhook.TestTopics.publishCallEvent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * webhook-service in child JVMs against the embedded broker, the dev registry and real HTTP servers as the
 * customer: kill -9 while a status is pending loses nothing, a new consumer group replaying the topic posts
 * nothing again, and a call's pending statuses move with its partition, in order.
 */
class DeliveryAfterKillTest {

    private static final HttpClient http = HttpClient.newHttpClient();

    private final CustomerWebhooks answerUrl = new CustomerWebhooks();
    private final IdempotentReceiver eventUrl = new IdempotentReceiver();
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void stop() {
        children.forEach(child -> child.process().destroyForcibly());
        answerUrl.close();
        eventUrl.close();
    }

    @Test
    void killMinusNineBetweenAnsweredAndCompletedLosesNoStatusAndAReplayPostsNothingAgain() throws Exception {
        new TopicCreator(TestKafka.bootstrapServers()).createAll();
        String group = "kill-test-" + UUID.randomUUID();
        String app = "app-kill-" + UUID.randomUUID();
        answerUrl.on("/kill/answer", request -> new CustomerWebhooks.Response(200,
                "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:agent@127.0.0.1:5090\"}]}]"));
        publishApplication(app, new Webhook(answerUrl.url("/kill/answer"), "GET", 1000, 5000), null,
                new Webhook(eventUrl.url("/kill/event"), "POST", 1000, 2000));
        String call = UUID.randomUUID().toString();

        ChildJvm first = startService(group);
        publishCallEvent(call, app, "eu", CallEventType.OFFERED, 1, Map.of(), null);
        await().atMost(Duration.ofSeconds(60)).until(() -> eventUrl.acceptedStatuses().equals(List.of("started")));
        publishCallEvent(call, app, "eu", CallEventType.ANSWERED, 2, Map.of(), null);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> eventUrl.acceptedStatuses().equals(List.of("started", "answered")));

        // completed fails until the service has been killed: it is pending, retrying, when kill -9 comes
        eventUrl.answer(delivery -> "completed".equals(delivery.status()) ? 500 : 200);
        publishCallEvent(call, app, "eu", CallEventType.COMPLETED, 3, Map.of(), 42);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> eventUrl.received().stream().anyMatch(d -> "completed".equals(d.status())));
        first.process().destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no last commit
        assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        eventUrl.answer(delivery -> 200);

        ChildJvm second = startService(group);
        await().atMost(Duration.ofSeconds(90))
                .until(() -> eventUrl.acceptedStatuses().equals(List.of("started", "answered", "completed")));

        assertThat(eventUrl.received()).allSatisfy(delivery -> assertThat(delivery.key()).isNotBlank());
        assertThat(eventUrl.conflicts()).as("a key with two payloads").isEmpty();
        assertThat(eventUrl.received()).filteredOn(d -> "completed".equals(d.status()))
                .extracting(IdempotentReceiver.Delivery::key).as("every attempt of completed has one key")
                .containsOnly(eventUrl.accepted().get(2).key());
        assertThat(eventUrl.accepted().get(2).fields()).containsEntry("duration", "42").containsEntry("uuid", call);
        System.out.printf("kill -9: %d deliveries received, %d accepted, %d duplicates of an accepted key%n",
                eventUrl.received().size(), eventUrl.accepted().size(), eventUrl.duplicates());

        // Replay: the same topic read by a new group, with the delivery log as it is, posts nothing again.
        second.process().destroy();
        assertThat(second.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        int received = eventUrl.received().size();
        startService("replay-" + group);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> eventUrl.received().size() == received);
    }

    @Test
    void pendingStatusesMoveWithTheirPartitionToAnotherInstanceAndStayInOrder() throws Exception {
        new TopicCreator(TestKafka.bootstrapServers()).createAll();
        String group = "rebalance-test-" + UUID.randomUUID();
        String app = "app-rebalance-" + UUID.randomUUID();
        answerUrl.on("/rebalance/answer", request -> new CustomerWebhooks.Response(200,
                "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:agent@127.0.0.1:5090\"}]}]"));
        publishApplication(app, new Webhook(answerUrl.url("/rebalance/answer"), "GET", 1000, 5000), null,
                new Webhook(eventUrl.url("/rebalance/event"), "POST", 1000, 2000));
        String call = UUID.randomUUID().toString();

        ChildJvm first = startService(group);
        publishCallEvent(call, app, "eu", CallEventType.OFFERED, 1, Map.of(), null);
        await().atMost(Duration.ofSeconds(60)).until(() -> eventUrl.acceptedStatuses().equals(List.of("started")));
        // answered keeps failing on the first instance; completed queues behind it
        eventUrl.answer(delivery -> "started".equals(delivery.status()) ? 200 : 503);
        publishCallEvent(call, app, "eu", CallEventType.ANSWERED, 2, Map.of(), null);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> eventUrl.received().stream().anyMatch(d -> "answered".equals(d.status())));
        publishCallEvent(call, app, "eu", CallEventType.COMPLETED, 3, Map.of(), 9);

        startService(group);
        first.process().destroy(); // a graceful stop: its partitions go to the other instance
        assertThat(first.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        eventUrl.answer(delivery -> 200);

        await().atMost(Duration.ofSeconds(90))
                .until(() -> eventUrl.acceptedStatuses().equals(List.of("started", "answered", "completed")));
        List<IdempotentReceiver.Delivery> received = eventUrl.received();
        int answeredAccepted = received.indexOf(eventUrl.accepted().get(1));
        assertThat(received).filteredOn(d -> "completed".equals(d.status()))
                .as("completed is never sent before answered got through")
                .allSatisfy(d -> assertThat(received.indexOf(d)).isGreaterThan(answeredAccepted));
        assertThat(eventUrl.conflicts()).isEmpty();
        System.out.printf("rebalance: %d deliveries received, %d duplicates of an accepted key%n",
                eventUrl.received().size(), eventUrl.duplicates());
    }

    /** Starts webhook-service and waits until it is ready (its call-events partitions caught up). */
    private ChildJvm startService(String group) {
        int port = FreePorts.tcp();
        ChildJvm child = ChildJvm.start(WebhookApplication.class, "--server.port=" + port,
                "--psip.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                "--psip.schema-registry.url=" + TestKafka.registryUrl(),
                "--psip.webhook.http.allow=127.0.0.1/32",
                "--psip.webhook.delivery.group=" + group,
                "--psip.webhook.delivery.session-timeout=6s",
                "--psip.webhook.event-retry.max-attempts=50",
                "--psip.webhook.event-retry.initial-backoff=200ms",
                "--psip.webhook.event-retry.max-backoff=1s",
                // a loaded machine must not make the offer stale
                "--psip.webhook.answer-deadline=60s", "--psip.webhook.max-offer-age=30s");
        children.add(child);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                .failFast("the child exited; log in " + child.log(), () -> !child.process().isAlive())
                .until(() -> ready(port));
        return child;
    }

    private static boolean ready(int port) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/actuator/health/readiness")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }
}
