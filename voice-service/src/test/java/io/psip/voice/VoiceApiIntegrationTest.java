package io.psip.voice;

import com.vonage.client.HttpConfig;
import com.vonage.client.VonageClient;
import com.vonage.client.voice.CallDirection;
import com.vonage.client.voice.CallInfo;
import com.vonage.client.voice.CallInfoPage;
import com.vonage.client.voice.CallStatus;
import com.vonage.client.voice.CallsFilter;
import com.vonage.client.voice.PhoneEndpoint;
import com.vonage.client.voice.VoiceClient;
import io.psip.events.ApplicationChanged;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.ChangeType;
import io.psip.schemas.Topics;
import io.psip.testsupport.TestKafka;
import io.psip.testsupport.TestPostgres;
import io.psip.voice.application.ApplicationKeys;
import io.psip.voice.messaging.CallRecordProjector;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The service as deployed, over real HTTP, Kafka and PostgreSQL: applications and their public keys arrive on
 * psip.applications, call events on psip.call-events; clients sign their own JWTs (and Vonage's Java SDK its
 * own) with private keys generated here. Each test uses its own tenants and calls.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext // closed after the class: another context in the same consumer group would take partitions
class VoiceApiIntegrationTest {

    private static final String INSTANCE = "routing-us-1";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Autowired
    ApplicationKeys applicationKeys;
    @Autowired
    CallRecordProjector projector;
    @LocalServerPort
    int port;

    private Tenant alice;
    private Tenant bob;

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        registry.add("psip.kafka.bootstrap-servers", TestKafka::bootstrapServers);
        registry.add("psip.schema-registry.url", TestKafka::registryUrl);
        registry.add("spring.datasource.url", TestPostgres::jdbcUrl);
    }

    @BeforeEach
    void tenants() {
        alice = tenant();
        bob = tenant();
    }

    @Test
    void recordsStayCorrectWhenEventsArriveTwiceAndOutOfOrder() throws Exception {
        Call call = new Call(alice);
        Instant offered = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Instant answered = offered.plusSeconds(3);
        Instant completed = answered.plusSeconds(42);
        CallEvent offer = call.event(1, CallEventType.OFFERED, offered);
        CallEvent ringing = call.event(2, CallEventType.RINGING, offered.plusSeconds(1));
        CallEvent answer = call.answered(3, answered);
        CallEvent end = call.completed(4, answered, completed, 42);
        for (CallEvent event : List.of(offer, answer, ringing, answer, end, ringing, offer, end, answer)) {
            send(event);
        }
        awaitProjected();

        JsonNode record = getJson(alice, "/v1/calls/" + call.uuid);
        assertThat(record.get("status").asString()).isEqualTo("completed");
        assertThat(record.get("duration").asString()).isEqualTo("42");
        assertThat(record.get("start_time").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
        assertThat(Instant.parse(record.get("start_time").asString())).isEqualTo(answered);
        assertThat(Instant.parse(record.get("end_time").asString())).isEqualTo(completed);
        assertThat(record.get("uuid").asString()).isEqualTo(call.uuid);
        assertThat(record.get("conversation_uuid").asString()).isEqualTo(call.conversation);
        assertThat(record.get("network").asString()).isEqualTo("us");
        assertThat(record.get("direction").asString()).isEqualTo("inbound");
        assertThat(record.get("from").get("number").asString()).isEqualTo("alice-phone");
        assertThat(record.get("to").get("number").asString()).isEqualTo("1234");
        assertThat(record.get("_links").get("self").get("href").asString()).isEqualTo("/v1/calls/" + call.uuid);

        // a replay of everything from the start (another consumer group's view of the same events) changes nothing
        for (CallEvent event : List.of(offer, ringing, answer, end)) {
            send(event);
        }
        awaitProjected();
        assertThat(getJson(alice, "/v1/calls/" + call.uuid)).isEqualTo(record);
    }

    @Test
    void aRecordThatIsNotAnEventIsSkippedAndTheCallsAfterItAreProjected() throws Exception {
        Call call = new Call(alice);
        TestKafka.sendRaw(Topics.CALL_EVENTS.name(), call.uuid, "not avro".getBytes(StandardCharsets.UTF_8));
        send(call.event(1, CallEventType.OFFERED, Instant.now()));
        awaitProjected();

        assertThat(getJson(alice, "/v1/calls/" + call.uuid).get("status").asString()).isEqualTo("started");
        assertThat(projector.undecodable()).isPositive();
    }

    @Test
    void anotherTenantsCallIsNotFoundOnEveryRoute() throws Exception {
        Call bobs = new Call(bob);
        send(bobs.event(1, CallEventType.OFFERED, Instant.now()));
        send(bobs.answered(2, Instant.now()));
        awaitProjected();
        assertThat(get(bob, "/v1/calls/" + bobs.uuid).statusCode()).isEqualTo(200);

        String path = "/v1/calls/" + bobs.uuid;
        assertThat(get(alice, path).statusCode()).isEqualTo(404);
        assertThat(get(alice, path).body()).doesNotContain(bobs.conversation);
        assertThat(put(alice, path, "{\"action\":\"hangup\"}").statusCode()).isEqualTo(404);
        assertThat(put(alice, path, "{\"action\":\"transfer\",\"destination\":{\"type\":\"ncco\",\"ncco\":[]}}")
                .statusCode()).isEqualTo(404);
        assertThat(put(alice, path, "{\"action\":\"mute\"}").statusCode()).isEqualTo(404);
        for (String media : List.of("/talk", "/stream", "/dtmf")) {
            assertThat(put(alice, path + media, "{}").statusCode()).as(media).isEqualTo(404);
        }
        for (String media : List.of("/talk", "/stream")) {
            assertThat(send(alice, "DELETE", path + media, null).statusCode()).as(media).isEqualTo(404);
        }
        JsonNode list = getJson(alice, "/v1/calls?conversation_uuid=" + bobs.conversation);
        assertThat(list.get("count").asLong()).isZero();
        assertThat(getJson(alice, "/v1/calls").get("_embedded").get("calls")).isEmpty();
        // Bob's hangup was refused for Alice: no command went out for his call
        assertThat(TestKafka.records(Topics.callCommands("us").name(), bobs.uuid,
                TestKafka.avro(CallCommand.class))).isEmpty();
    }

    @Test
    void hangupPublishesAHangupCommandToTheInstanceHoldingTheCall() throws Exception {
        Call ringing = new Call(alice);
        send(ringing.event(1, CallEventType.OFFERED, Instant.now()));
        send(ringing.event(2, CallEventType.RINGING, Instant.now()));
        Call answered = new Call(alice);
        send(answered.event(1, CallEventType.OFFERED, Instant.now()));
        send(answered.answered(2, Instant.now()));
        awaitProjected();

        assertThat(put(alice, "/v1/calls/" + ringing.uuid, "{\"action\":\"hangup\"}").statusCode()).isEqualTo(204);
        // the same through Vonage's SDK, which signs its own JWT with the application's private key
        alice.sdk(port).terminateCall(answered.uuid);

        for (Call call : List.of(ringing, answered)) {
            List<ConsumerRecord<String, CallCommand>> commands = TestKafka.records(
                    Topics.callCommands("us").name(), call.uuid, TestKafka.avro(CallCommand.class));
            assertThat(commands).singleElement().satisfies(record -> {
                assertThat(record.value().getAction()).isEqualTo(CallAction.HANGUP);
                assertThat(record.value().getInstanceId()).isEqualTo(INSTANCE);
                assertThat(record.value().getRegion()).isEqualTo("us");
                assertThat(record.value().getCallUuid()).isEqualTo(call.uuid);
            });
        }

        Call ended = new Call(alice);
        send(ended.event(1, CallEventType.OFFERED, Instant.now()));
        send(ended.event(2, CallEventType.CANCELLED, Instant.now()));
        awaitProjected();
        HttpResponse<String> refused = put(alice, "/v1/calls/" + ended.uuid, "{\"action\":\"hangup\"}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void theVonageJavaSdkListsCallsAndReadsARecord() throws Exception {
        Call call = new Call(alice);
        Instant answered = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        send(call.event(1, CallEventType.OFFERED, answered.minusSeconds(2)));
        send(call.answered(2, answered));
        send(call.completed(3, answered, answered.plusSeconds(7), 7));
        Call other = new Call(alice);
        send(other.event(1, CallEventType.OFFERED, Instant.now()));
        awaitProjected();

        VoiceClient voice = alice.sdk(port);
        CallInfo info = voice.getCallDetails(call.uuid);
        assertThat(info.getUuid()).isEqualTo(call.uuid);
        assertThat(info.getConversationUuid()).isEqualTo(call.conversation);
        assertThat(info.getStatus()).isEqualTo(CallStatus.COMPLETED);
        assertThat(info.getDirection()).isEqualTo(CallDirection.INBOUND);
        assertThat(info.getDuration()).isEqualTo(7);
        assertThat(info.getStartTime()).isEqualTo(answered);
        assertThat(info.getEndTime()).isEqualTo(answered.plusSeconds(7));
        assertThat(info.getNetwork()).isEqualTo("us");
        assertThat(info.getTo()).isInstanceOfSatisfying(PhoneEndpoint.class,
                to -> assertThat(to.getNumber()).isEqualTo("1234"));

        CallInfoPage all = voice.listCalls();
        assertThat(all.getCount()).isEqualTo(2);
        assertThat(all.getCallInfos()).extracting(CallInfo::getUuid).containsExactlyInAnyOrder(call.uuid, other.uuid);
        CallInfoPage completed = voice.listCalls(CallsFilter.builder().status(CallStatus.COMPLETED).build());
        assertThat(completed.getCallInfos()).extracting(CallInfo::getUuid).containsExactly(call.uuid);
        CallInfoPage byConversation = voice.listCalls(CallsFilter.builder()
                .conversationUuid(other.conversation).build());
        assertThat(byConversation.getCallInfos()).extracting(CallInfo::getUuid).containsExactly(other.uuid);
    }

    @Test
    void listsPageWithVonagesFiltersAndHalLinks() throws Exception {
        Instant base = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(3600);
        List<Call> calls = List.of(new Call(alice), new Call(alice), new Call(alice));
        for (int i = 0; i < calls.size(); i++) {
            send(calls.get(i).event(1, CallEventType.OFFERED, base.plusSeconds(i * 60L)));
        }
        send(calls.get(2).answered(2, base.plusSeconds(121)));
        awaitProjected();

        JsonNode first = getJson(alice, "/v1/calls?page_size=2");
        assertThat(first.get("count").asLong()).isEqualTo(3);
        assertThat(first.get("page_size").asInt()).isEqualTo(2);
        assertThat(first.get("record_index").asInt()).isZero();
        assertThat(uuids(first)).containsExactly(calls.get(0).uuid, calls.get(1).uuid);
        JsonNode links = first.get("_links");
        assertThat(links.get("self").get("href").asString()).isEqualTo("/v1/calls?page_size=2&record_index=0&order=asc");
        assertThat(links.get("next").get("href").asString()).isEqualTo("/v1/calls?page_size=2&record_index=2&order=asc");
        assertThat(links.get("last").get("href").asString()).isEqualTo("/v1/calls?page_size=2&record_index=2&order=asc");
        assertThat(links.has("prev")).isFalse();

        JsonNode second = getJson(alice, links.get("next").get("href").asString());
        assertThat(uuids(second)).containsExactly(calls.get(2).uuid);
        assertThat(second.get("_links").has("next")).isFalse();
        assertThat(second.get("_links").get("prev").get("href").asString()).contains("record_index=0");

        assertThat(uuids(getJson(alice, "/v1/calls?order=desc&page_size=1"))).containsExactly(calls.get(2).uuid);
        assertThat(uuids(getJson(alice, "/v1/calls?status=answered"))).containsExactly(calls.get(2).uuid);
        assertThat(uuids(getJson(alice, "/v1/calls?date_start=" + base.plusSeconds(30) + "&date_end="
                + base.plusSeconds(90)))).containsExactly(calls.get(1).uuid);

        HttpResponse<String> invalid = get(alice, "/v1/calls?page_size=101");
        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(invalid.body()).contains("page_size");
        assertThat(get(alice, "/v1/calls?status=nonsense").statusCode()).isEqualTo(400);
        assertThat(get(alice, "/v1/calls?date_start=yesterday").statusCode()).isEqualTo(400);
    }

    @Test
    void onlyAFreshBearerJwtOfAKnownApplicationIsAccepted() throws Exception {
        HttpResponse<String> basic = send("GET", "/v1/calls", "Basic " + Base64.getEncoder()
                .encodeToString("psiplocal:psiplocalsecret".getBytes(StandardCharsets.UTF_8)), null);
        assertThat(basic.statusCode()).isEqualTo(401);
        assertThat(basic.body()).contains("not Basic");
        assertThat(basic.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h).startsWith("Bearer"));
        assertThat(send("GET", "/v1/calls", null, null).statusCode()).isEqualTo(401);

        // Alice's application id, signed with Bob's key
        assertThat(bearer(bob.keys.token(alice.applicationId)).statusCode()).isEqualTo(401);
        String expired = alice.keys.token(alice.applicationId, Instant.now().minus(Duration.ofMinutes(20)),
                Duration.ofMinutes(15), UUID.randomUUID().toString());
        HttpResponse<String> expiredAnswer = bearer(expired);
        assertThat(expiredAnswer.statusCode()).isEqualTo(401);
        assertThat(expiredAnswer.body()).contains("expired");

        String once = alice.keys.token(alice.applicationId);
        assertThat(bearer(once).statusCode()).isEqualTo(200);
        HttpResponse<String> replayed = bearer(once);
        assertThat(replayed.statusCode()).isEqualTo(401);
        assertThat(replayed.body()).contains("used before");
        assertThat(replayed.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void whatIsNotThereYetIsA501Problem() throws Exception {
        Call call = new Call(alice);
        send(call.answered(1, Instant.now()));
        awaitProjected();

        HttpResponse<String> outbound = send(alice, "POST", "/v1/calls",
                "{\"to\":[{\"type\":\"sip\",\"uri\":\"sip:bob@127.0.0.1\"}],\"from\":{\"type\":\"phone\",\"number\":\"1\"}}");
        assertThat(outbound.statusCode()).isEqualTo(501);
        assertThat(outbound.body()).contains("Outbound calls");
        assertThat(put(alice, "/v1/calls/" + call.uuid,
                "{\"action\":\"transfer\",\"destination\":{\"type\":\"ncco\",\"ncco\":[]}}").statusCode()).isEqualTo(501);
        HttpResponse<String> talk = put(alice, "/v1/calls/" + call.uuid + "/talk", "{\"text\":\"hello\"}");
        assertThat(talk.statusCode()).isEqualTo(501);
        assertThat(talk.body()).contains("media plane");
        assertThat(talk.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    }

    @Test
    void readyOnceTheKeysTableAndTheProjectionRun() throws Exception {
        HttpResponse<String> readiness = await().atMost(Duration.ofSeconds(60)).until(() -> HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness")).build(),
                HttpResponse.BodyHandlers.ofString()), r -> r.statusCode() == 200);
        assertThat(readiness.body()).contains("applicationKeys", "callRecordProjector");
    }

    // --- tenants, calls and HTTP

    private Tenant tenant() {
        Tenant tenant = new Tenant("acc-" + UUID.randomUUID(), UUID.randomUUID().toString(), TestKeys.generate());
        TestKafka.send(Topics.APPLICATIONS.name(), tenant.applicationId, ApplicationChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setVersion(1).setOccurredAt(Instant.now())
                .setChangeType(ChangeType.CREATED).setApplicationId(tenant.applicationId)
                .setAccountId(tenant.accountId).setName("voice-test").setPublicKey(tenant.keys.publicKeyPem()).build());
        await().atMost(Duration.ofSeconds(60)).until(() -> applicationKeys.find(tenant.applicationId).isPresent());
        return tenant;
    }

    private record Tenant(String accountId, String applicationId, TestKeys keys) {

        VoiceClient sdk(int port) {
            return VonageClient.builder()
                    .httpConfig(HttpConfig.builder().baseUri("http://127.0.0.1:" + port).build())
                    .applicationId(applicationId)
                    .privateKeyContents(keys.privateKeyPem())
                    .build().getVoiceClient();
        }
    }

    private static final class Call {
        final Tenant tenant;
        final String uuid = UUID.randomUUID().toString();
        final String conversation = "CON-" + UUID.randomUUID();

        Call(Tenant tenant) {
            this.tenant = tenant;
        }

        CallEvent event(long sequence, CallEventType type, Instant at) {
            return builder(sequence, type, at).build();
        }

        CallEvent answered(long sequence, Instant at) {
            return builder(sequence, CallEventType.ANSWERED, at).setAnsweredAt(at).build();
        }

        CallEvent completed(long sequence, Instant answered, Instant at, int duration) {
            return builder(sequence, CallEventType.COMPLETED, at).setAnsweredAt(answered).setDurationSeconds(duration)
                    .setReason("caller_hangup").build();
        }

        private CallEvent.Builder builder(long sequence, CallEventType type, Instant at) {
            // one id per event: a redelivery carries the same id and sequence
            String eventId = UUID.nameUUIDFromBytes((uuid + "/" + sequence).getBytes(StandardCharsets.UTF_8)).toString();
            return CallEvent.newBuilder().setEventId(eventId).setSequence(sequence)
                    .setOccurredAt(at.truncatedTo(ChronoUnit.MILLIS)).setType(type).setCallUuid(uuid)
                    .setConversationUuid(conversation).setRegion("us").setInstanceId(INSTANCE)
                    .setAccountId(tenant.accountId).setApplicationId(tenant.applicationId).setDomain("acme")
                    .setFrom("alice-phone").setTo("1234");
        }
    }

    private static void send(CallEvent event) {
        TestKafka.send(Topics.CALL_EVENTS.name(), event.getCallUuid(), event);
    }

    /** Until the projection's group has committed everything the topic holds: each event is then in the database. */
    private static void awaitProjected() {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.bootstrapServers()))) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = admin
                        .listConsumerGroupOffsets("voice-service-call-records").partitionsToOffsetAndMetadata().get();
                List<TopicPartition> partitions = admin.describeTopics(List.of(Topics.CALL_EVENTS.name()))
                        .allTopicNames().get().get(Topics.CALL_EVENTS.name()).partitions().stream()
                        .map(p -> new TopicPartition(Topics.CALL_EVENTS.name(), p.partition())).toList();
                Map<TopicPartition, Long> ends = admin.listOffsets(partitions.stream()
                        .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()))).all().get().entrySet().stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
                for (TopicPartition partition : partitions) {
                    long end = ends.get(partition);
                    OffsetAndMetadata done = committed.get(partition);
                    assertThat(end == 0 || (done != null && done.offset() == end)).as(partition.toString()).isTrue();
                }
            });
        }
    }

    private static List<String> uuids(JsonNode page) {
        return page.get("_embedded").get("calls").valueStream().map(c -> c.get("uuid").asString()).toList();
    }

    private JsonNode getJson(Tenant tenant, String path) throws Exception {
        HttpResponse<String> response = get(tenant, path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private HttpResponse<String> get(Tenant tenant, String path) throws Exception {
        return send(tenant, "GET", path, null);
    }

    private HttpResponse<String> put(Tenant tenant, String path, String body) throws Exception {
        return send(tenant, "PUT", path, body);
    }

    private HttpResponse<String> bearer(String token) throws Exception {
        return send("GET", "/v1/calls", "Bearer " + token, null);
    }

    private HttpResponse<String> send(Tenant tenant, String method, String path, String body) throws Exception {
        return send(method, path, "Bearer " + tenant.keys.token(tenant.applicationId), body);
    }

    private HttpResponse<String> send(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
