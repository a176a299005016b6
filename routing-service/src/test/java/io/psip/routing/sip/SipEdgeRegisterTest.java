package io.psip.routing.sip;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.routing.Sipp;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.call.DigestAuthenticator;
import io.psip.routing.call.RegionalHost;
import io.psip.routing.call.Registrar;
import io.psip.routing.call.Registrations;
import io.psip.routing.call.RegistrationMetrics;
import io.psip.routing.table.Domain;
import io.psip.routing.table.RoutingTables;
import io.psip.schemas.net.Cidr;
import io.psip.testsupport.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.psip.routing.call.DigestAuthenticator.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * REGISTER on a real edge, sipp as the phone over UDP and TCP: challenge, bindings with their expiry in the 200,
 * refresh, removal, expiry on time, and every refusal. Bindings are published to an in-memory list here; the
 * Kafka side is RoutingRegistrationTest.
 */
class SipEdgeRegisterTest {

    private static final String ACME = "acme.sip-us.example.com";

    private final int port = FreePorts.sip();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<Registrar.Bindings> published = new CopyOnWriteArrayList<>();
    private Registrar registrar;
    private SipEdge edge;

    @BeforeEach
    void start() throws Exception {
        RoutingTables tables = EdgeFixtures.tables(domain("acme", List.of("127.0.0.0/8"), "alice", "bob"),
                domain("fenced", List.of("127.0.0.2/32"), "alice"), domain("open", List.of("127.0.0.0/8")));
        registrar = new Registrar(new RegionalHost("us", "example.com"), tables,
                new DigestAuthenticator("k".getBytes(), Clock.systemUTC(), Duration.ofMinutes(5), List.of("MD5")),
                () -> true, new Registrar.Settings(Duration.ofSeconds(2), Duration.ofSeconds(30),
                Duration.ofSeconds(20), 2, 100, 1000, EdgeFixtures.SERVICE_DEFAULT_TRANSPORT.idleTimeout()),
                "register-test", Clock.systemUTC(),
                new RegistrationMetrics(meters));
        registrar.publishTo(published::add, () -> true);
        registrar.start();
        edge = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2), 1 << 20, 1,
                100, Duration.ofSeconds(10), EdgeFixtures.GENEROUS_LIMITS, null, EdgeFixtures.loopbackFarEnds(port),
                EdgeFixtures.SERVICE_DEFAULT_TRANSPORT), EdgeFixtures.admission(tables), event -> { },
                new CallMetrics(new SimpleMeterRegistry()), Clock.systemUTC(), new Call.CallOrigin("us", "register-test"),
                io.psip.routing.call.ActiveCalls.NONE, registrar,
                io.psip.routing.call.RegisteredUsers.NONE);
        edge.start();
    }

    @AfterEach
    void stop() {
        edge.stop();
        registrar.close();
    }

    @Test
    void overUdpARegisterIsChallengedThenBoundWithItsExpiryAndSourceListed() {
        int phonePort = FreePorts.sip();
        Sipp phone = register("alice", "pw-alice", "<sip:alice@[local_ip]:[local_port]>", "", 200, phonePort, "u1");
        assertThat(phone.logs()).containsPattern("(?m)^Contact: <sip:alice@127.0.0.1:" + phonePort + ">;expires=20\r?$")
                .containsPattern("(?m)^Date: .+ GMT\r?$");
        assertThat(registrar.contactsOf("acme", "alice")).singleElement().satisfies(contact -> {
            assertThat(contact.uri()).isEqualTo("sip:alice@127.0.0.1:" + phonePort);
            assertThat(contact.sourceAddress()).isEqualTo("127.0.0.1");
            assertThat(contact.sourcePort()).isEqualTo(phonePort);
            assertThat(contact.transport()).isEqualTo("udp");
            assertThat(contact.instanceId()).isEqualTo("register-test");
        });
        assertThat(published).singleElement().satisfies(p -> assertThat(p.aor()).isEqualTo("alice@acme"));
    }

    @Test
    void overTcpTheBindingRecordsTheConnectionItCameOn() {
        Sipp phone = register("bob", "pw-bob", "<sip:bob@[local_ip]:[local_port];transport=tcp>", "", 200,
                FreePorts.sip(), "t1");
        assertThat(phone.logs()).contains(";expires=20");
        assertThat(registrar.contactsOf("acme", "bob")).singleElement().satisfies(contact -> {
            assertThat(contact.transport()).isEqualTo("tcp");
            assertThat(contact.sourceAddress()).isEqualTo("127.0.0.1");
            assertThat(contact.sourcePort()).isPositive();
        });
    }

    @Test
    void reRegisteringRefreshesUnregisteringRemovesAndTooLongIsShortened() {
        register("alice", "pw-alice", "<sip:alice@127.0.0.1:5999>", "", 200, FreePorts.sip(), "u1");
        Sipp refresh = register("alice", "pw-alice", "<sip:alice@127.0.0.1:5999>", "\nExpires: 5", 200,
                FreePorts.sip(), "u1");
        assertThat(refresh.logs()).containsPattern("Contact: <sip:alice@127.0.0.1:5999>;expires=[45]\r?\n");
        assertThat(registrar.contactsOf("acme", "alice")).singleElement().satisfies(contact ->
                assertThat(contact.expiresAt()).isBefore(java.time.Instant.now().plusSeconds(6)));
        Sipp clamped = register("alice", "pw-alice", "<sip:alice@127.0.0.1:5999>;expires=999", "", 200,
                FreePorts.sip(), "u1");
        assertThat(clamped.logs()).containsPattern("Contact: <sip:alice@127.0.0.1:5999>;expires=(30|29)\r?\n");
        register("alice", "pw-alice", "<sip:alice@127.0.0.1:5999>;expires=0", "", 200, FreePorts.sip(), "u1");
        assertThat(registrar.contactsOf("acme", "alice")).isEmpty();
        assertThat(published.get(published.size() - 1).bindings()).isEmpty();
    }

    @Test
    void theWildcardWithExpiresZeroRemovesEveryContact() {
        register("alice", "pw-alice", "<sip:alice@127.0.0.1:5999>, <sip:alice-desk@127.0.0.1:5998>", "", 200,
                FreePorts.sip(), "u1");
        assertThat(registrar.contactsOf("acme", "alice")).hasSize(2);
        register("alice", "pw-alice", "*", "\nExpires: 60", 400, FreePorts.sip(), "u1");
        assertThat(registrar.contactsOf("acme", "alice")).hasSize(2);
        register("alice", "pw-alice", "*", "\nExpires: 0", 200, FreePorts.sip(), "u1");
        assertThat(registrar.contactsOf("acme", "alice")).isEmpty();
    }

    @Test
    void aBindingExpiresOnTimeAndItsRemovalIsPublished() {
        register("alice", "pw-alice", "<sip:alice@127.0.0.1:5999>", "\nExpires: 2", 200, FreePorts.sip(), "u1");
        assertThat(registrar.contactsOf("acme", "alice")).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(registrar.size()).isZero();
            assertThat(published).hasSize(2);
            assertThat(published.get(1).bindings()).isEmpty();
        });
        assertThat(meters.get("psip.sip.registrations").gauge().value()).isZero();
    }

    @Test
    void tooBriefGets423WithMinExpires() {
        Sipp phone = register("alice", "pw-alice", "<sip:alice@127.0.0.1:5999>", "\nExpires: 1", 423,
                FreePorts.sip(), "u1");
        assertThat(phone.logs()).containsPattern("(?m)^Min-Expires: 2\r?$");
        assertThat(registrar.size()).isZero();
    }

    @Test
    void aWrongPasswordGets403() {
        register("alice", "guess", "<sip:alice@127.0.0.1:5999>", "", 403, FreePorts.sip(), "u1");
        assertThat(refused("credentials")).isEqualTo(1);
    }

    @Test
    void nobodyRegistersForSomeoneElse() {
        register("alice", "pw-bob", "<sip:alice@127.0.0.1:5999>", "", 403, FreePorts.sip(), "u1", "bob");
        assertThat(registrar.size()).isZero();
        assertThat(refused("not_own_aor")).isEqualTo(1);
    }

    @Test
    void aSourceOutsideTheAclADomainWithoutUsersAndAForeignHostAreRefusedWithoutAChallenge() {
        refusedOutright("fenced.sip-us.example.com", 403);
        refusedOutright("open.sip-us.example.com", 403);
        refusedOutright("acme.sip.example.com", 404);
        assertThat(refused("acl")).isEqualTo(1);
        assertThat(refused("no_users")).isEqualTo(1);
        assertThat(refused("not_our_host")).isEqualTo(1);
    }

    @Test
    void contactsBeyondTheBoundOfOneUserAreRefused() {
        register("alice", "pw-alice", "<sip:alice@127.0.0.1:5999>, <sip:alice-desk@127.0.0.1:5998>", "", 200,
                FreePorts.sip(), "u1");
        Sipp third = register("alice", "pw-alice", "<sip:alice-tab@127.0.0.1:5997>", "", 403, FreePorts.sip(), "u1");
        assertThat(third.logs()).contains("SIP/2.0 403 Too Many Contacts");
        assertThat(registrar.contactsOf("acme", "alice")).hasSize(2);
        assertThat(refused("aor_limit")).isEqualTo(1);
    }

    @Test
    void aDrainingEdgeRefusesRegisterWith503() {
        edge.drain(Duration.ZERO);
        Sipp phone = register("alice", "pw-alice", "<sip:alice@127.0.0.1:5999>", "", 503, FreePorts.sip(), "u1");
        assertThat(phone.logs()).contains("Retry-After: ");
        assertThat(refused("overload")).isEqualTo(1);
    }

    private Sipp register(String aorUser, String password, String contact, String extraHeaders, int expected,
                          int phonePort, String transport) {
        return register(aorUser, password, contact, extraHeaders, expected, phonePort, transport, aorUser);
    }

    private Sipp register(String aorUser, String password, String contact, String extraHeaders, int expected,
                          int phonePort, String transport, String authUser) {
        Sipp phone = Sipp.start("uac-register.xml", Map.of("AOR_USER", aorUser, "CONTACT", contact,
                        "EXTRA_HEADERS", extraHeaders, "EXPECTED_CODE", Integer.toString(expected)),
                "-i", "127.0.0.1", "-p", Integer.toString(phonePort), "-t", transport, "-m", "1",
                "-au", authUser, "-ap", password, "-auth_uri", ACME, "-key", "domain", ACME, "127.0.0.1:" + port);
        assertThat(phone.exitCode()).as(phone::logs).isZero();
        return phone;
    }

    private void refusedOutright(String host, int expected) {
        Sipp phone = Sipp.start("uac-register-refused.xml", Map.of("EXPECTED_CODE", Integer.toString(expected)),
                "-i", "127.0.0.1", "-p", Integer.toString(FreePorts.sip()), "-m", "1", "-key", "domain", host,
                "127.0.0.1:" + port);
        assertThat(phone.exitCode()).as(phone::logs).isZero();
    }

    private double refused(String reason) {
        return meters.get("psip.sip.register.refused").tag("reason", reason).counter().count();
    }

    /** A domain whose users' passwords are {@code pw-<user>} (realm: the domain name). */
    static Domain domain(String name, List<String> acl, String... users) {
        Map<String, Domain.DigestCredentials> credentials = new HashMap<>();
        for (String user : users) {
            String a1 = user + ":" + name + ":pw-" + user;
            credentials.put(user, new Domain.DigestCredentials(user, hex("MD5", a1), hex("SHA-256", a1)));
        }
        return new Domain(name, 1, "acct", "app-1", new ArrayList<>(acl.stream().map(Cidr::parse).toList()), false,
                credentials, null, null, null);
    }
}
