package io.psip.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.vonage.client.HttpConfig;
import com.vonage.client.VonageClient;
import com.vonage.client.application.Application;
import com.vonage.client.application.capabilities.Voice;
import com.vonage.client.application.capabilities.Webhook;
import com.vonage.client.common.HttpMethod;
import com.vonage.client.voice.CallDirection;
import com.vonage.client.voice.CallInfo;
import com.vonage.client.voice.CallStatus;
import com.vonage.client.voice.VoiceClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One real call across the whole platform: the launcher starts Kafka, PostgreSQL, the registry and every service
 * from this build's jars; sipp calls in and plays the far end; a real HTTP server is the customer's application.
 * The refused calls run after the successful one on the same domain, so they cannot pass merely because the
 * domain never reached routing. Then SIP Connect (a PBX dialling the linked number with the API key and secret),
 * a phone that registers to a second domain and receives the call the NCCO connects to its user, and last (it
 * changes the account's secret) a rotation that refuses the old secret.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GoldenPathIT {

    /**
     * Keeps clear of a bin/psip-local running on the default ports, and keeps every shifted port (the highest is
     * PostgreSQL's 25432) below Linux's ephemeral range (32768+), where a random client port could take it.
     */
    private static final int PORT_OFFSET = 10000;
    private static final int PROVISIONING_PORT = 8080 + PORT_OFFSET;
    private static final int ROUTING_US_HTTP_PORT = 8091 + PORT_OFFSET;
    private static final int VOICE_PORT = 8083 + PORT_OFFSET;
    private static final String ROUTING_US_SIP = "127.0.0.1:" + (5060 + PORT_OFFSET);

    // Vonage domain names are 5 to 32 characters (psip.yml), so not just "acme".
    private static final String DOMAIN = "acme-corp";
    private static final String REGIONAL_HOST = DOMAIN + ".sip-us.example.com";
    private static final String NON_REGIONAL_HOST = DOMAIN + ".sip.example.com";
    private static final String DIALLED = "14155550100";
    private static final String CUSTOMER_HEADER = "acme-42";
    /** SIP Connect: the number dialled at the SIP Connect host with the account's API key and secret. */
    private static final String SIP_CONNECT_HOST = "sip.example.com";
    private static final String API_KEY = "psiplocal";
    private static final String API_SECRET = "psiplocalsecret";
    /** Registration: a second domain whose user alice registers a phone. */
    private static final String PHONES_DOMAIN = "acme-phones";
    private static final String PHONE_USER = "alice";
    /** The domain of the application Vonage's Java SDK creates. */
    private static final String SDK_DOMAIN = "acme-sdk";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PHONE_SECRET = "alice-s3cret";

    private static final Path ROOT = ProjectDirs.root();
    private static final Path WORK = ProjectDirs.work();
    private static final Path DATA_DIR = WORK.resolve("psip-e2e");
    private static final Path LAUNCHER_LOG = WORK.resolve("psip-e2e-launcher.log");

    @RegisterExtension
    static final PlatformDiagnostics DIAGNOSTICS = new PlatformDiagnostics(LAUNCHER_LOG, DATA_DIR);

    private static Sipp sipp;
    private static PlatformProcess platform;
    private static CustomerWebhooks customer;
    private static int farEndPort;
    private static boolean connectedCallPassed;
    private static String connectedCallUuid;
    private static ProvisioningClient api;
    private static String applicationId;
    /** What answer_url returns: a connect to the sipp far end, or to the registered phone. */
    private static volatile String ncco;

    @BeforeAll
    static void startPlatformAndProvisionDomain() throws Exception {
        Files.deleteIfExists(LAUNCHER_LOG); // a failure report must not show an earlier run's logs
        sipp = Sipp.locate(WORK.resolve("sipp"));
        farEndPort = FreePorts.udpAndTcp("127.0.0.1");
        ncco = connectTo("\"uri\":\"sip:bob@127.0.0.1:" + farEndPort + "\"");
        customer = CustomerWebhooks.start(() -> ncco);

        // Longer than the launcher's own limit per service, so a stuck service is named by the launcher itself.
        platform = PlatformProcess.start(ROOT, DATA_DIR, PORT_OFFSET, LAUNCHER_LOG, Duration.ofMinutes(5));

        api = new ProvisioningClient(URI.create("http://127.0.0.1:" + PROVISIONING_PORT), API_KEY, API_SECRET);
        applicationId = api.createApplication("acme-voice", customer.answerUrl(), customer.eventUrl());
        api.createDomain(DOMAIN, applicationId, List.of("127.0.0.1/32"));

        awaitInRoutingTable("/v1/tables/domains/" + DOMAIN, body -> true);
    }

    /** An NCCO connecting to one sip endpoint, given as its JSON members besides type and headers. */
    private static String connectTo(String endpoint) {
        return """
                [{"action":"connect","from":"%s","endpoint":[{"type":"sip",%s,"headers":{"Customer":"%s"}}]}]"""
                .formatted(DIALLED, endpoint, CUSTOMER_HEADER);
    }

    /** Waits until routing-us's table view at {@code path} answers 200 with a body that passes {@code check}. */
    private static String awaitInRoutingTable(String path, Predicate<String> check) {
        HttpClient http = HttpClient.newHttpClient();
        // the tables are the operator's: the launcher passes psip.operator.password=psiplocaloperator
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ROUTING_US_HTTP_PORT + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "operator:psiplocaloperator".getBytes(StandardCharsets.UTF_8)))
                .build();
        return await(path + " in routing-us's tables")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                    return response.statusCode() == 200 && check.test(response.body()) ? response.body() : null;
                }, body -> body != null);
    }

    @AfterAll
    static void stopEverything() {
        if (customer != null) {
            customer.close();
        }
        if (platform != null) {
            platform.close();
        }
    }

    @Test
    @Order(1)
    void callIsConnectedToTheNccoSipEndpointAndEveryStatusReachesEventUrlInOrder() throws Exception {
        Sipp.Running farEnd = sipp.start("far-end", scenario("uas.xml"), "127.0.0.1", farEndPort, List.of())
                .awaitListening();
        Sipp.Result caller = sipp.start("caller", scenario("uac.xml"), "127.0.0.1",
                FreePorts.udpAndTcp("127.0.0.1"),
                List.of("-s", DIALLED, "-key", "domain", REGIONAL_HOST, ROUTING_US_SIP)).awaitExit();
        Sipp.Result far = farEnd.awaitExit();

        // 100, 180, 200, ACK, BYE and its 200, as uac.xml requires.
        assertThat(caller.exitCode()).as(caller.describe()).isZero();
        // The far end fails the call unless the INVITE carried X-Customer from the NCCO (uas.xml).
        assertThat(far.exitCode()).as(far.describe()).isZero();

        List<CustomerWebhooks.AnswerRequest> answers = customer.answerRequests();
        assertThat(answers).hasSize(1);
        Map<String, String> answer = answers.get(0).params();
        assertThat(answer).containsEntry("SipHeader_X-UserId", "ABC123")
                .containsKeys("to", "from", "uuid", "conversation_uuid");
        assertThat(answer.keySet()).noneMatch(name -> name.toLowerCase().contains("nexmo"));

        String callUuid = answer.get("uuid");
        await("event_url gets the final status of call " + callUuid)
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> customer.statusesFor(callUuid),
                        statuses -> statuses.contains("completed") || statuses.contains("failed"));
        assertThat(customer.statusesFor(callUuid)).as("all events: %s", customer.events())
                .containsExactly("started", "ringing", "answered", "completed");
        connectedCallUuid = callUuid;
        connectedCallPassed = true;
    }

    @Test
    @Order(2)
    void callFromAnAddressOutsideTheAclIsRefusedWith403WithoutAskingTheApplication() throws Exception {
        requireConnectedCall();
        int answersBefore = customer.answerRequests().size();
        int eventsBefore = customer.events().size();

        Sipp.Result caller = sipp.start("outside-acl", scenario("uac-expect-403.xml"), "127.0.0.2",
                FreePorts.udpAndTcp("127.0.0.2"),
                List.of("-s", DIALLED, "-key", "domain", REGIONAL_HOST, ROUTING_US_SIP)).awaitExit();

        assertThat(caller.exitCode()).as(caller.describe()).isZero();
        assertThat(customer.answerRequests()).hasSize(answersBefore);
        assertThat(customer.events()).hasSize(eventsBefore);
    }

    @Test
    @Order(3)
    void callToTheDomainWithoutItsRegionIsRefusedWith404() throws Exception {
        requireConnectedCall();
        int answersBefore = customer.answerRequests().size();
        int eventsBefore = customer.events().size();

        Sipp.Result caller = sipp.start("non-regional", scenario("uac-expect-404.xml"), "127.0.0.1",
                FreePorts.udpAndTcp("127.0.0.1"),
                List.of("-s", DIALLED, "-key", "domain", NON_REGIONAL_HOST, ROUTING_US_SIP)).awaitExit();

        assertThat(caller.exitCode()).as(caller.describe()).isZero();
        assertThat(customer.answerRequests()).hasSize(answersBefore);
        assertThat(customer.events()).hasSize(eventsBefore);
    }

    @Test
    @Order(4)
    void sipConnectCallToALinkedNumberReachesAnswerUrlWithTheNumberAndIsConnected() throws Exception {
        api.linkNumber("+" + DIALLED, applicationId);
        awaitInRoutingTable("/v1/tables/numbers/" + DIALLED, body -> body.contains(applicationId));
        int answersBefore = customer.answerRequests().size();
        Sipp.Running farEnd = sipp.start("far-end-sip-connect", scenario("uas.xml"), "127.0.0.1", farEndPort,
                List.of()).awaitListening();

        Sipp.Result pbx = sipp.start("pbx", scenario("sip-connect.xml"), "127.0.0.1", FreePorts.udpAndTcp("127.0.0.1"),
                List.of("-au", API_KEY, "-ap", API_SECRET, "-auth_uri", DIALLED + "@" + SIP_CONNECT_HOST, "-s", DIALLED,
                        "-key", "domain", SIP_CONNECT_HOST, ROUTING_US_SIP)).awaitExit();
        Sipp.Result far = farEnd.awaitExit();

        assertThat(pbx.exitCode()).as(pbx.describe()).isZero();
        assertThat(far.exitCode()).as(far.describe()).isZero();
        List<CustomerWebhooks.AnswerRequest> answers = customer.answerRequests();
        assertThat(answers).hasSize(answersBefore + 1);
        Map<String, String> answer = answers.get(answersBefore).params();
        assertThat(answer).containsEntry("to", DIALLED).containsEntry("from", "4930123456")
                .containsEntry("SipHeader_X-UserId", "ABC123");
        String callUuid = answer.get("uuid");
        await("event_url gets the final status of SIP Connect call " + callUuid)
                .atMost(Duration.ofSeconds(30))
                .until(() -> customer.statusesFor(callUuid), statuses -> statuses.contains("completed"));
        assertThat(customer.statusesFor(callUuid)).containsExactly("started", "ringing", "answered", "completed");
    }

    @Test
    @Order(5)
    void sipConnectWithAWrongSecretIsRefusedWith403WithoutAskingTheApplication() throws Exception {
        int answersBefore = customer.answerRequests().size();

        Sipp.Result pbx = sipp.start("pbx-wrong-secret", scenario("sip-connect-expect-403.xml"), "127.0.0.1",
                FreePorts.udpAndTcp("127.0.0.1"), List.of("-au", API_KEY, "-ap", "not-" + API_SECRET,
                        "-auth_uri", DIALLED + "@" + SIP_CONNECT_HOST, "-s", DIALLED,
                        "-key", "domain", SIP_CONNECT_HOST, ROUTING_US_SIP)).awaitExit();

        assertThat(pbx.exitCode()).as(pbx.describe()).isZero();
        assertThat(customer.answerRequests()).hasSize(answersBefore);
    }

    @Test
    @Order(6)
    void aRegisteredPhoneReceivesTheCallTheApplicationConnectsToItsUser() throws Exception {
        requireConnectedCall();
        api.createDomain(PHONES_DOMAIN, applicationId, List.of("127.0.0.1/32"));
        api.addDomainUser(PHONES_DOMAIN, PHONE_USER, PHONE_SECRET);
        awaitInRoutingTable("/v1/tables/domains/" + PHONES_DOMAIN, body -> true);
        int phonePort = FreePorts.udpAndTcp("127.0.0.1");

        // The phone registers from phonePort (UDP); then a sipp far end on that same port takes the call, as a
        // phone behind NAT receives calls where its REGISTER came from.
        Sipp.Result registered = sipp.start("phone-register", scenario("register.xml"), "127.0.0.1", phonePort,
                List.of("-au", PHONE_USER, "-ap", PHONE_SECRET, "-auth_uri", PHONES_DOMAIN + ".sip-us.example.com",
                        "-s", PHONE_USER, "-key", "domain", PHONES_DOMAIN + ".sip-us.example.com", ROUTING_US_SIP))
                .awaitExit();
        assertThat(registered.exitCode()).as(registered.describe()).isZero();
        awaitInRoutingTable("/v1/tables/registrations/" + PHONES_DOMAIN + "/" + PHONE_USER,
                body -> body.contains(":" + phonePort));

        ncco = connectTo("\"user\":\"" + PHONE_USER + "\",\"domain\":\"" + PHONES_DOMAIN + "\"");
        Sipp.Running phone = sipp.start("phone", scenario("uas.xml"), "127.0.0.1", phonePort, List.of())
                .awaitListening();
        Sipp.Result caller = sipp.start("caller-to-phone", scenario("uac.xml"), "127.0.0.1",
                FreePorts.udpAndTcp("127.0.0.1"),
                List.of("-s", DIALLED, "-key", "domain", REGIONAL_HOST, ROUTING_US_SIP)).awaitExit();
        Sipp.Result rang = phone.awaitExit();

        assertThat(caller.exitCode()).as(caller.describe()).isZero();
        assertThat(rang.exitCode()).as(rang.describe()).isZero();
    }

    @Test
    @Order(7)
    void theOperatorCliSeesEveryRegionCaughtUpAndRedeliversACallsWebhooksWithTheirKeys() throws Exception {
        requireConnectedCall();
        AdminRun status = psipAdmin("--json", "status");
        assertThat(status.exitCode()).as(status.output()).isZero();
        JsonNode report = JSON.readTree(status.stdout());
        for (String region : List.of("us", "eu", "ap")) {
            JsonNode tables = report.path("routing").path(region);
            assertThat(tables.path("ready").asBoolean()).as("%s: %s", region, tables).isTrue();
            assertThat(tables.path("tables")).as("%s: %s", region, tables).hasSize(4)
                    .allSatisfy(table -> assertThat(table.path("state").asText()).isEqualTo("caught-up"));
        }
        assertThat(report.path("provisioning").path("outbox").path("set_aside").asInt()).isZero();

        List<String> posted = customer.idempotencyKeysFor(connectedCallUuid);
        assertThat(posted).hasSize(4).doesNotHaveDuplicates();
        AdminRun redeliver = psipAdmin("--json", "redeliver", "--call", connectedCallUuid);
        assertThat(redeliver.exitCode()).as(redeliver.output()).isZero();
        assertThat(JSON.readTree(redeliver.stdout()).path("redelivered").asInt()).isEqualTo(posted.size());
        // a receiver deduplicating on the key sees each post again under the key it first had, in the same order
        List<String> again = await("re-delivered posts of " + connectedCallUuid)
                .atMost(Duration.ofSeconds(30))
                .until(() -> customer.idempotencyKeysFor(connectedCallUuid), keys -> keys.size() == 2 * posted.size());
        assertThat(again.subList(posted.size(), again.size())).containsExactlyElementsOf(posted);
    }

    private record AdminRun(int exitCode, String stdout, String stderr) {
        String output() {
            return "exit " + exitCode + ", stdout: " + stdout + ", stderr: " + stderr;
        }
    }

    /** bin/psip-admin as an operator runs it, against this test's platform. */
    private static AdminRun psipAdmin(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/psip-admin").toString(),
                "--port-offset", Integer.toString(PORT_OFFSET)));
        command.addAll(List.of(args));
        Path out = Files.createTempFile(WORK, "psip-admin", ".out");
        Path err = Files.createTempFile(WORK, "psip-admin", ".err");
        Process process = new ProcessBuilder(command).directory(ROOT.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean exited = process.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor();
        }
        return new AdminRun(exited ? process.exitValue() : -1, Files.readString(out), Files.readString(err));
    }

    /**
     * As a customer would: Vonage's Java SDK creates the application (psip generates its key pair), a SIP call
     * reaches its domain, and the SDK, signing its JWTs with that private key, reads the call's record.
     */
    @Test
    @Order(8)
    void vonagesJavaSdkCreatesAnApplicationAndReadsItsCallRecordWithTheGeneratedKey() throws Exception {
        requireConnectedCall();
        VonageClient account = VonageClient.builder().apiKey(API_KEY).apiSecret(API_SECRET)
                .httpConfig(HttpConfig.builder().baseUri("http://127.0.0.1:" + PROVISIONING_PORT).build()).build();
        Application created = account.getApplicationClient().createApplication(Application.builder().name("acme-sdk")
                .addCapability(Voice.builder()
                        .answer(Webhook.builder().address(customer.answerUrl().toString()).method(HttpMethod.GET).build())
                        .event(Webhook.builder().address(customer.eventUrl().toString()).method(HttpMethod.POST).build())
                        .build())
                .build());
        String applicationId = created.getId().toString();
        String privateKey = created.getKeys().getPrivateKey();
        assertThat(privateKey).contains("PRIVATE KEY");
        api.createDomain(SDK_DOMAIN, applicationId, List.of("127.0.0.1/32"));
        awaitInRoutingTable("/v1/tables/domains/" + SDK_DOMAIN, body -> true);

        ncco = connectTo("\"uri\":\"sip:bob@127.0.0.1:" + farEndPort + "\"");
        int answersBefore = customer.answerRequests().size();
        Sipp.Running farEnd = sipp.start("far-end-sdk", scenario("uas.xml"), "127.0.0.1", farEndPort, List.of())
                .awaitListening();
        Sipp.Result caller = sipp.start("caller-sdk", scenario("uac.xml"), "127.0.0.1",
                FreePorts.udpAndTcp("127.0.0.1"),
                List.of("-s", DIALLED, "-key", "domain", SDK_DOMAIN + ".sip-us.example.com", ROUTING_US_SIP)).awaitExit();
        Sipp.Result far = farEnd.awaitExit();
        assertThat(caller.exitCode()).as(caller.describe()).isZero();
        assertThat(far.exitCode()).as(far.describe()).isZero();
        String callUuid = customer.answerRequests().get(answersBefore).params().get("uuid");

        VoiceClient voice = VonageClient.builder().applicationId(applicationId).privateKeyContents(privateKey)
                .httpConfig(HttpConfig.builder().baseUri("http://127.0.0.1:" + VOICE_PORT).build()).build()
                .getVoiceClient();
        CallInfo record = await("call " + callUuid + " completed in the Voice API's records")
                .atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions() // 404 until the projection has the call
                .until(() -> voice.getCallDetails(callUuid), info -> info.getStatus() == CallStatus.COMPLETED);
        assertThat(record.getDirection()).isEqualTo(CallDirection.INBOUND);
        assertThat(record.getNetwork()).isEqualTo("us");
        assertThat(voice.listCalls().getCallInfos()).extracting(CallInfo::getUuid).contains(callUuid);
    }

    @Test
    @Order(9)
    void afterTheApiSecretIsRotatedTheOldOneIsRefusedOnTheNextSipConnectCall() throws Exception {
        String accountId = api.accountId(API_KEY);
        String versionBefore = awaitInRoutingTable("/v1/tables/accounts/" + accountId, body -> true);
        api.rotateSecret(accountId);
        awaitInRoutingTable("/v1/tables/accounts/" + accountId, body -> !body.equals(versionBefore));
        int answersBefore = customer.answerRequests().size();

        Sipp.Result pbx = sipp.start("pbx-old-secret", scenario("sip-connect-expect-403.xml"), "127.0.0.1",
                FreePorts.udpAndTcp("127.0.0.1"), List.of("-au", API_KEY, "-ap", API_SECRET,
                        "-auth_uri", DIALLED + "@" + SIP_CONNECT_HOST, "-s", DIALLED,
                        "-key", "domain", SIP_CONNECT_HOST, ROUTING_US_SIP)).awaitExit();

        assertThat(pbx.exitCode()).as(pbx.describe()).isZero();
        assertThat(customer.answerRequests()).hasSize(answersBefore);
    }

    private static void requireConnectedCall() {
        assertThat(connectedCallPassed)
                .as("refusals only count after a successful call on the same domain, and that call failed")
                .isTrue();
    }

    /** The scenarios the README's walk-through uses. */
    private static Path scenario(String file) {
        return ROOT.resolve("docs/sipp").resolve(file);
    }
}
