package io.psip.routing.sip;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.AccountChanged;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.ChangeType;
import io.psip.events.NumberChanged;
import io.psip.routing.RawSip;
import io.psip.routing.Sipp;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.table.RoutingTables;
import io.psip.routing.table.TableUpdates;
import io.psip.schemas.crypto.AccountSecrets;
import io.psip.schemas.crypto.DigestUserSecrets.Ha1s;
import io.psip.testsupport.FreePorts;
import io.psip.testsupport.TestSecrets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIP Connect on a real edge: a PBX (sipp, over UDP and TCP) dials a number at {@code sip.example.com} or the
 * region's {@code sip-us.example.com} with the account's API key and secret. Accounts and numbers reach the tables
 * as provisioning publishes them (HA1s sealed under the platform key), through {@link TableUpdates}. A recording
 * publisher stands in for the webhook service and refuses each offered call with 486, so every sipp call ends.
 */
class SipEdgeSipConnectTest {

    private static final String REALM = AccountSecrets.realm("example.com");
    private static final String NUMBER = "14155550100";
    private static final String OTHER_ACCOUNTS_NUMBER = "14155550199";
    private static final String SUSPENDED_ACCOUNTS_NUMBER = "14155550111";

    private final int port = FreePorts.sip();
    private final List<CallEvent> events = new CopyOnWriteArrayList<>();
    private final RoutingTables tables = EdgeFixtures.tables();
    private final TableUpdates updates = new TableUpdates(tables, TestSecrets.key());
    private SipEdge edge;

    @BeforeEach
    void start() throws Exception {
        updates.onAccount("acct", account("acct", 1, "key-acct", null, "secret-1"));
        updates.onAccount("other", account("other", 1, "key-other", null, "other-secret"));
        updates.onAccount("paused", account("paused", 1, "key-paused", "suspended", "paused-secret"));
        number(NUMBER, "acct");
        number(OTHER_ACCOUNTS_NUMBER, "other");
        number(SUSPENDED_ACCOUNTS_NUMBER, "paused");
        edge = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2), 1 << 20, 1,
                100, Duration.ofSeconds(10), EdgeFixtures.GENEROUS_LIMITS, null, EdgeFixtures.loopbackFarEnds(port),
                EdgeFixtures.SERVICE_DEFAULT_TRANSPORT), EdgeFixtures.admission(tables), this::published,
                new CallMetrics(new SimpleMeterRegistry()), Clock.systemUTC(), new Call.CallOrigin("us", "connect-test"));
        edge.start();
        await().atMost(Duration.ofSeconds(15)).until(edge::listening);
    }

    @AfterEach
    void stop() {
        edge.stop();
    }

    @ParameterizedTest
    @ValueSource(strings = {"u1", "t1"})
    void aLinkedNumberIsOfferedToItsApplicationWithTheCustomHeaders(String transport) {
        Sipp caller = dial(transport, NUMBER, "", "sip.example.com", "key-acct", "secret-1", 486);
        assertThat(caller.logs()).contains("SIP/2.0 100 Trying");
        CallEvent offered = onlyOffer();
        assertThat(offered.getDomain()).isNull();
        assertThat(offered.getAccountId()).isEqualTo("acct");
        assertThat(offered.getApplicationId()).isEqualTo("app-1");
        assertThat(offered.getTo()).isEqualTo(NUMBER);
        assertThat(offered.getFrom()).isEqualTo("alice");
        assertThat(offered.getFromUser()).isNull();
        assertThat(offered.getCustomHeaders()).containsEntry("X-UserId", "ABC123");
    }

    @ParameterizedTest
    @ValueSource(strings = {"u1", "t1"})
    void aPlusAndUserPhoneOnTheRegionsOwnHostDialTheSameNumber(String transport) {
        dial(transport, "+" + NUMBER, ";user=phone", "sip-us.example.com", "key-acct", "secret-1", 486);
        assertThat(onlyOffer().getTo()).isEqualTo(NUMBER);
    }

    @ParameterizedTest
    @ValueSource(strings = {"u1", "t1"})
    void wrongSecretOtherAccountsNumberUnknownNumberAndSuspendedAccountAreRefused(String transport) {
        dial(transport, NUMBER, "", "sip.example.com", "key-acct", "guess", 403);
        dial(transport, OTHER_ACCOUNTS_NUMBER, "", "sip.example.com", "key-acct", "secret-1", 403);
        dial(transport, "19995550000", "", "sip.example.com", "key-acct", "secret-1", 404);
        dial(transport, SUSPENDED_ACCOUNTS_NUMBER, "", "sip.example.com", "key-paused", "paused-secret", 403);
        assertThat(events).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"u1", "t1"})
    void aRotatedSecretRefusesTheOldOneOnTheNextCall(String transport) {
        dial(transport, NUMBER, "", "sip.example.com", "key-acct", "secret-1", 486);
        updates.onAccount("acct", account("acct", 2, "key-acct", null, "secret-2"));
        dial(transport, NUMBER, "", "sip.example.com", "key-acct", "secret-1", 403);
        dial(transport, NUMBER, "", "sip.example.com", "key-acct", "secret-2", 486);
        await().atMost(Duration.ofSeconds(5)).until(() -> offers() == 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"u1", "t1"})
    void aDomainWithoutItsRegionIsStillNotFound(String transport) {
        Sipp caller = Sipp.start("uac-rejected.xml", Map.of("EXPECTED_CODE", "404"), "-t", transport, "-i",
                "127.0.0.1", "-p", Integer.toString(FreePorts.sip()), "-m", "1", "-s", NUMBER,
                "-key", "domain", "acme.sip.example.com", "127.0.0.1:" + port);
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        assertThat(events).isEmpty();
    }

    @Test
    void aReplayedAuthorizationIsRefusedAsANewTransaction() {
        String uri = "sip:" + NUMBER + "@sip.example.com";
        String challenge = RawSip.udp(port, invite("")).orElseThrow();
        assertThat(challenge).startsWith("SIP/2.0 401").contains("realm=\"" + REALM + "\"");
        String authorization = "Authorization: " + RawSip.digestAuthorization("key-acct", REALM, "secret-1",
                RawSip.nonceOf(challenge), "00000001", uri) + "\r\n";

        assertThat(RawSip.udp(port, invite(authorization))).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 486"));
        assertThat(offers()).isEqualTo(1);
        // The same header on a new INVITE (new Call-ID and branch), as an eavesdropper would send it.
        assertThat(RawSip.udp(port, invite(authorization))).hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 403"));
        assertThat(offers()).isEqualTo(1);
    }

    /** A UDP INVITE to {@link #NUMBER} at the SIP Connect host. */
    private static String invite(String authorization) {
        return RawSip.invite("sip.example.com", "Max-Forwards: 70\r\n" + authorization, "SIP/2.0")
                .replace("sip:999@", "sip:" + NUMBER + "@");
    }

    /** Dials {@code user@host} with these credentials; sipp passes only if the call ends with {@code expected}. */
    private Sipp dial(String transport, String user, String uriParams, String host, String apiKey, String secret,
                      int expected) {
        Sipp caller = Sipp.start("uac-connect.xml", Map.of("EXPECTED_CODE", Integer.toString(expected),
                        "URI_PARAMS", uriParams), "-t", transport, "-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", user, "-au", apiKey, "-ap", secret,
                "-auth_uri", user + "@" + host, "-key", "domain", host, "127.0.0.1:" + port);
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        return caller;
    }

    private CallEvent onlyOffer() {
        await().atMost(Duration.ofSeconds(5)).until(() -> offers() == 1);
        return events.stream().filter(e -> e.getType() == CallEventType.OFFERED).findFirst().orElseThrow();
    }

    private long offers() {
        return events.stream().filter(e -> e.getType() == CallEventType.OFFERED).count();
    }

    /** Stands in for the webhook service: every offered call is refused with 486. */
    private void published(CallEvent event) {
        events.add(event);
        if (event.getType() == CallEventType.OFFERED) {
            edge.execute(CallCommand.newBuilder().setCommandId(UUID.randomUUID().toString())
                    .setOccurredAt(Instant.now()).setCallUuid(event.getCallUuid()).setRegion("us")
                    .setInstanceId("connect-test").setAction(CallAction.REJECT).setSipCode(486).build());
        }
    }

    /** An account as provisioning publishes it: HA1s of its API key and secret sealed under the platform key. */
    private static AccountChanged account(String id, long version, String apiKey, String status, String secret) {
        AccountSecrets.Sealed sealed = AccountSecrets.seal(TestSecrets.key(), id, apiKey,
                Ha1s.of(apiKey, REALM, secret));
        return AccountChanged.newBuilder().setEventId(UUID.randomUUID().toString()).setVersion(version)
                .setOccurredAt(Instant.now()).setChangeType(version == 1 ? ChangeType.CREATED : ChangeType.UPDATED)
                .setAccountId(id).setApiKey(apiKey).setStatus(status).setSealedHa1Md5(sealed.md5())
                .setSealedHa1Sha256(sealed.sha256()).build();
    }

    private void number(String number, String accountId) {
        updates.onNumber(number, NumberChanged.newBuilder().setEventId(UUID.randomUUID().toString()).setVersion(1)
                .setOccurredAt(Instant.now()).setChangeType(ChangeType.CREATED).setNumber(number)
                .setAccountId(accountId).setApplicationId("app-1").build());
    }
}
