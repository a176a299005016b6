package io.psip.webhook.events;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.ApplicationChanged;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.ChangeType;
import io.psip.events.Webhook;
import io.psip.webhook.answer.AnswerService;
import io.psip.webhook.application.ApplicationTable;
import io.psip.webhook.application.WebhookTarget;
import io.psip.webhook.delivery.Backoff;
import io.psip.webhook.http.RequestSigner;
import io.psip.webhook.http.WebhookFailure;
import io.psip.webhook.http.WebhookHttp;
import io.psip.webhook.http.WebhookRequest;
import io.psip.webhook.http.WebhookResponse;
import io.psip.webhook.ncco.NccoParser;
import io.psip.webhook.signing.CallbackSigner;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The call handling without Kafka or a network: the ports are in-memory fakes. */
class CallEventHandlerTest {

    private static final String CONNECT = "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\",\"uri\":\"sip:a@b\"}]}]";

    /** Answers each webhook address with a programmable response and remembers every request. */
    private static final class FakeHttp implements WebhookHttp {
        final List<Map.Entry<String, Map<String, ?>>> requests = new CopyOnWriteArrayList<>();
        final Map<String, Function<Map<String, ?>, CompletableFuture<WebhookResponse>>> answers =
                new ConcurrentHashMap<>();

        @Override
        public CompletableFuture<WebhookResponse> send(WebhookRequest request) {
            String address = request.target().address().toString();
            Map<String, ?> fields = request.fields();
            requests.add(Map.entry(address, fields));
            return answers.getOrDefault(address, f -> CompletableFuture.completedFuture(new WebhookResponse(204, "")))
                    .apply(fields);
        }

        List<Object> statuses() {
            return requests.stream().filter(r -> r.getKey().endsWith("/event"))
                    .map(r -> (Object) r.getValue().get("status")).toList();
        }

        long answerRequests() {
            return requests.stream().filter(r -> r.getKey().endsWith("/answer")).count();
        }
    }

    /** The system clock, which a test can move forward. */
    private static final class MovableClock extends Clock {
        private volatile Duration ahead = Duration.ZERO;

        void advance(Duration by) {
            ahead = ahead.plus(by);
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(ahead);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    private static final int THREADS = 4;
    private final ExecutorService executor = Executors.newFixedThreadPool(THREADS);
    private final MovableClock clock = new MovableClock();
    private final FakeHttp http = new FakeHttp();
    private final List<CallCommand> commands = new CopyOnWriteArrayList<>();
    private final ApplicationTable applications = new ApplicationTable();
    private final CallLanes lanes = new CallLanes(executor);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private CallEventHandler handler;

    @BeforeEach
    void setUp() {
        JsonMapper json = JsonMapper.builder().build();
        DeadLetters deadLetters = (call, payload, details) -> CompletableFuture.completedFuture(null);
        EventUrlDelivery delivery = new EventUrlDelivery(http, deadLetters,
                (call, pending) -> CompletableFuture.completedFuture(null),
                posted -> CompletableFuture.completedFuture(null), lanes,
                new EventUrlDelivery.RetryPolicy(2, new Backoff(Duration.ofMillis(10), Duration.ofMillis(10)),
                        Duration.ofDays(1)),
                application -> RequestSigner.UNSIGNED, json, meters, executor, clock);
        CallCommandPublisher publisher = command -> {
            commands.add(command);
            return CompletableFuture.completedFuture(null);
        };
        handler = new CallEventHandler(applications, new AnswerService(http, new NccoParser(json), CallbackSigner.NEVER, meters, clock), delivery,
                publisher, lanes,
                new CallEventHandler.Settings("https://api-{region}.example.com", Duration.ofMillis(300),
                        Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofHours(1), 2),
                clock, executor, meters);
        applications.apply("app", ApplicationChanged.newBuilder()
                .setEventId("e").setVersion(1).setOccurredAt(Instant.now()).setChangeType(ChangeType.CREATED)
                .setApplicationId("app").setAccountId("acc").setName("app")
                .setAnswerUrl(new Webhook("http://customer.test/answer", "GET", 1000, 5000))
                .setEventUrl(new Webhook("http://customer.test/event", "POST", 1000, 5000))
                .build());
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
    }

    @Test
    void aRepeatedOfferIsAnsweredOnce() {
        http.answers.put("http://customer.test/answer", f -> ok(CONNECT));
        CallEvent offered = event("call-1", CallEventType.OFFERED, Instant.now());

        handler.handle(offered).join();
        handler.handle(offered).join();

        await().until(() -> http.statuses().size() == 1);
        assertThat(http.answerRequests()).isEqualTo(1);
        assertThat(commands).hasSize(1);
    }

    @Test
    void anOfferTooOldToAnswerIsDropped() {
        handler.handle(event("call-2", CallEventType.OFFERED, Instant.now().minus(Duration.ofMinutes(5)))).join();

        assertThat(http.requests).isEmpty();
        assertThat(commands).isEmpty();
    }

    @Test
    void anOfferThatWaitedTooLongIsRejectedWith503WithoutCallingAnyone() {
        handler.handle(event("call-12", CallEventType.OFFERED, Instant.now().minus(Duration.ofSeconds(31)))).join();

        assertThat(commands).singleElement().satisfies(command -> {
            assertThat(command.getAction()).isEqualTo(CallAction.REJECT);
            assertThat(command.getSipCode()).isEqualTo(503);
        });
        assertThat(http.requests).isEmpty();
        assertThat(meters.counter(CallEventHandler.SHED_OFFERS, "reason", "queued_too_long").count()).isEqualTo(1);
    }

    @Test
    void anOfferThatWaitedTooLongInOurOwnQueueIsRejectedWith503() throws InterruptedException {
        CountDownLatch allBusy = new CountDownLatch(THREADS);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < THREADS; i++) {
            executor.execute(() -> {
                allBusy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        allBusy.await();
        handler.handle(event("call-13", CallEventType.OFFERED, clock.instant()));
        clock.advance(Duration.ofSeconds(31));
        release.countDown();

        await().until(() -> commands.size() == 1);
        assertThat(commands.get(0).getAction()).isEqualTo(CallAction.REJECT);
        assertThat(commands.get(0).getSipCode()).isEqualTo(503);
        assertThat(http.requests).isEmpty();
    }

    @Test
    void aHangUpDuringASlowAnswerIsPostedAfterStartedAndOnlyOnce() {
        CompletableFuture<WebhookResponse> slowAnswer = new CompletableFuture<>();
        http.answers.put("http://customer.test/answer", f -> slowAnswer);
        handler.handle(event("call-3", CallEventType.OFFERED, Instant.now()));
        await().until(() -> http.answerRequests() == 1);

        handler.handle(event("call-3", CallEventType.CANCELLED, Instant.now()));
        handler.handle(event("call-3", CallEventType.FAILED, Instant.now()));
        slowAnswer.complete(new WebhookResponse(200, CONNECT));

        await().until(() -> http.statuses().size() == 2);
        assertThat(http.statuses()).containsExactly("started", "cancelled");
        assertThat(commands).extracting(CallCommand::getAction).containsExactly(CallAction.CONNECT);
    }

    @Test
    void anAnswerHostWithTooManyOfOurRequestsInFlightShedsTheCallWith503() {
        http.answers.put("http://customer.test/answer", f -> CompletableFuture.failedFuture(
                new WebhookFailure(WebhookFailure.Kind.HOST_BUSY, "too many requests in flight to this host")));
        handler.handle(event("call-busy", CallEventType.OFFERED, Instant.now()));

        await().until(() -> commands.size() == 1);
        assertThat(commands.get(0).getAction()).isEqualTo(CallAction.REJECT);
        assertThat(commands.get(0).getSipCode()).isEqualTo(503);
        assertThat(meters.counter(CallEventHandler.SHED_OFFERS, "reason", "answer_host_busy").count()).isEqualTo(1);
    }

    @Test
    void aRejectedCallGetsOneFailedStatusEvenWhenRoutingReportsItToo() {
        http.answers.put("http://customer.test/answer", f -> ok("[{\"action\":\"input\"}]"));
        handler.handle(event("call-4", CallEventType.OFFERED, Instant.now()));
        handler.handle(event("call-4", CallEventType.REJECTED, Instant.now()));

        await().until(() -> commands.size() == 1 && http.statuses().size() == 1);
        assertThat(commands.get(0).getSipCode()).isEqualTo(501);
        assertThat(http.statuses()).containsExactly("failed");
    }

    @Test
    void routingsLateReportOfARejectedCallIsNotPostedAgain() {
        http.answers.put("http://customer.test/answer", f -> ok("[{\"action\":\"talk\",\"text\":\"hi\"}]"));
        handler.handle(event("call-11", CallEventType.OFFERED, Instant.now()));
        await().until(() -> http.statuses().size() == 1);

        handler.handle(event("call-11", CallEventType.FAILED, Instant.now())).join();

        assertThat(lanes.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(http.statuses()).containsExactly("failed");
    }

    @Test
    void anUnknownApplicationIsRejectedWith480WithoutCallingAnyone() {
        CallEvent offered = event("call-5", CallEventType.OFFERED, Instant.now());
        offered.setApplicationId("nobody");

        handler.handle(offered).join();

        assertThat(commands).singleElement().satisfies(command -> {
            assertThat(command.getAction()).isEqualTo(CallAction.REJECT);
            assertThat(command.getSipCode()).isEqualTo(480);
        });
        assertThat(http.requests).isEmpty();
    }

    @Test
    void offersBeyondTheActiveCallLimitAreRejectedWith503() {
        CompletableFuture<WebhookResponse> slowAnswer = new CompletableFuture<>();
        http.answers.put("http://customer.test/answer", f -> slowAnswer);
        handler.handle(event("call-6", CallEventType.OFFERED, Instant.now()));
        handler.handle(event("call-7", CallEventType.OFFERED, Instant.now()));
        await().until(() -> http.answerRequests() == 2);

        handler.handle(event("call-8", CallEventType.OFFERED, Instant.now())).join();

        assertThat(commands).singleElement().satisfies(command -> {
            assertThat(command.getCallUuid()).isEqualTo("call-8");
            assertThat(command.getSipCode()).isEqualTo(503);
        });
        slowAnswer.complete(new WebhookResponse(200, CONNECT));
        await().until(() -> commands.size() == 3);
    }

    @Test
    void everyLogLineAboutACallCarriesItsUuid() {
        Logger webhookLogger = (Logger) LoggerFactory.getLogger("io.psip.webhook");
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        webhookLogger.addAppender(lines);
        try {
            http.answers.put("http://customer.test/answer", f -> CompletableFuture.supplyAsync(
                    () -> new WebhookResponse(200, CONNECT), executor));
            http.answers.put("http://customer.test/event", f -> CompletableFuture.supplyAsync(
                    () -> new WebhookResponse(500, ""), executor));
            CallEvent unknownApplication = event("call-9", CallEventType.OFFERED, Instant.now());
            unknownApplication.setApplicationId("nobody");
            handler.handle(unknownApplication);
            handler.handle(event("call-10", CallEventType.OFFERED, Instant.now()));
            handler.handle(event("call-10", CallEventType.RINGING, Instant.now()));

            await().until(() -> commands.size() == 2 && http.statuses().size() == 4);
            await().until(() -> lines.list.stream().anyMatch(line -> line.getFormattedMessage().contains("after 2")));
            assertThat(lines.list).isNotEmpty().allSatisfy(line -> assertThat(line.getMDCPropertyMap())
                    .as(line.getFormattedMessage()).containsKey("call_uuid"));
        } finally {
            webhookLogger.detachAppender(lines);
        }
    }

    @Test
    void aNotifyIsPostedWithItsPayloadBeforeTheConnectIsPublished() {
        http.answers.put("http://customer.test/answer", f -> ok("""
                [{"action":"notify","payload":{"step":"before connect","n":1},
                  "eventUrl":["http://customer.test/notify"]},
                 {"action":"connect","endpoint":[{"type":"sip","uri":"sip:a@b"}]}]"""));
        http.answers.put("http://customer.test/notify", f -> {
            assertThat(commands).as("nothing published before the notify is answered").isEmpty();
            return CompletableFuture.completedFuture(new WebhookResponse(200, ""));
        });

        handler.handle(event("call-20", CallEventType.OFFERED, Instant.now())).join();

        assertThat(http.requests).filteredOn(r -> r.getKey().endsWith("/notify")).singleElement()
                .satisfies(r -> assertThat(r.getValue()).isEqualTo(Map.of("step", "before connect", "n", 1)));
        assertThat(commands).singleElement().satisfies(command -> {
            assertThat(command.getAction()).isEqualTo(CallAction.CONNECT);
            assertThat(command.getConnect().getUri()).isEqualTo("sip:a@b");
            assertThat(command.getConnect().getContinueOnFailure()).isFalse();
        });
    }

    @Test
    void aNotifyAnsweredWithAnNccoReplacesTheRest() {
        http.answers.put("http://customer.test/answer", f -> ok("""
                [{"action":"notify","payload":{},"eventUrl":["http://customer.test/notify"]},
                 {"action":"connect","endpoint":[{"type":"sip","uri":"sip:first@b"}]}]"""));
        http.answers.put("http://customer.test/notify", f -> ok("""
                [{"action":"connect","endpoint":[{"type":"sip","uri":"sip:instead@b"}]}]"""));

        handler.handle(event("call-21", CallEventType.OFFERED, Instant.now())).join();

        assertThat(commands).singleElement()
                .satisfies(command -> assertThat(command.getConnect().getUri()).isEqualTo("sip:instead@b"));
    }

    @Test
    void aNotifyThatKeepsAnsweringWithItselfEndsTheCall() {
        String loop = "[{\"action\":\"notify\",\"payload\":{},\"eventUrl\":[\"http://customer.test/notify\"]}]";
        http.answers.put("http://customer.test/answer", f -> ok(loop));
        http.answers.put("http://customer.test/notify", f -> ok(loop));

        handler.handle(event("call-27", CallEventType.OFFERED, Instant.now())).join();

        assertThat(http.requests).filteredOn(r -> r.getKey().endsWith("/notify"))
                .hasSize(CallEventHandler.MAX_ACTIONS_PER_CALL);
        assertThat(commands).singleElement().satisfies(command -> {
            assertThat(command.getAction()).isEqualTo(CallAction.REJECT);
            assertThat(command.getSipCode()).isEqualTo(480);
        });
    }

    @Test
    void aSynchronousConnectThatFailsIsAnsweredByItsEventUrlWithANewNcco() {
        http.answers.put("http://customer.test/answer", f -> ok("""
                [{"action":"connect","eventType":"synchronous","eventUrl":["http://customer.test/leg"],
                  "endpoint":[{"type":"sip","uri":"sip:first@b"}]}]"""));
        http.answers.put("http://customer.test/leg", f -> ok("""
                [{"action":"connect","endpoint":[{"type":"sip","uri":"sip:second@b"}]}]"""));
        handler.handle(event("call-22", CallEventType.OFFERED, Instant.now())).join();
        assertThat(commands).singleElement()
                .satisfies(command -> assertThat(command.getConnect().getContinueOnFailure()).isTrue());

        CallEvent failed = event("call-22", CallEventType.CONNECT_FAILED, Instant.now());
        failed.setSipCode(486);
        failed.setReason("busy");
        handler.handle(failed).join();

        assertThat(commands).extracting(command -> command.getConnect().getUri())
                .containsExactly("sip:first@b", "sip:second@b");
        assertThat(commands.get(1).getConnect().getContinueOnFailure()).isFalse();
        assertThat(http.requests).filteredOn(r -> r.getKey().endsWith("/leg")).singleElement()
                .satisfies(r -> assertThat(fields(r)).containsEntry("status", "busy").containsEntry("sip_code", 486));
    }

    @Test
    void whenTheLastConnectFailsTheCallerGetsItsCode() {
        http.answers.put("http://customer.test/answer", f -> ok("""
                [{"action":"connect","endpoint":[{"type":"sip","uri":"sip:first@b"}]},
                 {"action":"connect","endpoint":[{"type":"sip","uri":"sip:second@b"}]}]"""));
        handler.handle(event("call-23", CallEventType.OFFERED, Instant.now())).join();
        CallEvent first = event("call-23", CallEventType.CONNECT_FAILED, Instant.now());
        first.setSipCode(408);
        first.setReason("timeout");
        handler.handle(first).join();
        CallEvent second = event("call-23", CallEventType.CONNECT_FAILED, Instant.now());
        second.setSipCode(486);
        second.setReason("busy");
        handler.handle(second).join();

        assertThat(commands).extracting(CallCommand::getAction)
                .containsExactly(CallAction.CONNECT, CallAction.CONNECT, CallAction.REJECT);
        assertThat(commands.get(0).getConnect().getContinueOnFailure()).isTrue();
        assertThat(commands.get(1).getConnect().getContinueOnFailure()).isFalse();
        assertThat(commands.get(2).getSipCode()).isEqualTo(486);
        assertThat(commands).extracting(CallCommand::getCommandId).doesNotHaveDuplicates();
        await().until(() -> http.statuses().size() == 4);
        assertThat(http.statuses()).containsExactly("started", "timeout", "busy", "failed");
    }

    @Test
    void whenNothingYieldsAnNccoTheCallerGets480AndEventUrlTheReason() {
        http.answers.put("http://customer.test/answer",
                f -> CompletableFuture.completedFuture(new WebhookResponse(503, "secret-body")));

        handler.handle(event("call-26", CallEventType.OFFERED, Instant.now())).join();

        assertThat(http.answerRequests()).isEqualTo(2);
        assertThat(commands).singleElement().satisfies(command -> {
            assertThat(command.getAction()).isEqualTo(CallAction.REJECT);
            assertThat(command.getSipCode()).isEqualTo(480);
        });
        await().until(() -> http.statuses().size() == 1);
        assertThat(http.requests).filteredOn(r -> r.getKey().endsWith("/event")).singleElement()
                .satisfies(r -> assertThat(fields(r)).containsEntry("status", "failed")
                        .containsEntry("detail", "answer_url: http_status_503"));
    }

    @Test
    void aMediaActionRejectsTheCallWithAReasonThatNamesIt() {
        http.answers.put("http://customer.test/answer", f -> ok("""
                [{"action":"stream","streamUrl":["https://example.org/a.mp3"]}]"""));

        handler.handle(event("call-24", CallEventType.OFFERED, Instant.now())).join();

        assertThat(commands).singleElement().satisfies(command -> {
            assertThat(command.getAction()).isEqualTo(CallAction.REJECT);
            assertThat(command.getSipCode()).isEqualTo(501);
        });
        await().until(() -> http.statuses().size() == 1);
        assertThat(http.requests).filteredOn(r -> r.getKey().endsWith("/event")).singleElement()
                .satisfies(r -> assertThat(fields(r)).containsEntry("status", "failed")
                        .containsEntry("detail", "unsupported NCCO action: stream"));
    }

    @Test
    void anInvalidNccoSendsVonagesErrorEventAndTheCallerGets480() {
        http.answers.put("http://customer.test/answer", f -> ok("[{\"action\":\"connect\"}]"));

        handler.handle(event("call-25", CallEventType.OFFERED, Instant.now())).join();

        assertThat(commands).singleElement().satisfies(command -> assertThat(command.getSipCode()).isEqualTo(480));
        await().until(() -> http.requests.stream().filter(r -> r.getKey().endsWith("/event")).count() == 2);
        List<Map<String, ?>> posted = http.requests.stream().filter(r -> r.getKey().endsWith("/event"))
                .<Map<String, ?>>map(Map.Entry::getValue).toList();
        assertThat(posted).anySatisfy(error -> {
            assertThat(error.keySet()).containsExactly("reason", "conversation_uuid", "timestamp");
            assertThat((String) error.get("reason")).startsWith("Syntax error in NCCO. ");
            assertThat(error.get("conversation_uuid")).isEqualTo("conv-call-25");
        });
        assertThat(posted).anySatisfy(failed -> assertThat(new java.util.HashMap<String, Object>(failed)).containsEntry("status", "failed")
                .containsEntry("sip_code", 480));
    }

    private static Map<String, Object> fields(Map.Entry<String, Map<String, ?>> request) {
        return new java.util.HashMap<>(request.getValue());
    }

    private static CompletableFuture<WebhookResponse> ok(String body) {
        return CompletableFuture.completedFuture(new WebhookResponse(200, body));
    }

    private static CallEvent event(String call, CallEventType type, Instant at) {
        return CallEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setSequence(1).setOccurredAt(at).setType(type)
                .setCallUuid(call).setConversationUuid("conv-" + call).setRegion("eu").setInstanceId("routing-eu-1")
                .setApplicationId("app").setFrom("alice").setTo("bob")
                .build();
    }
}
