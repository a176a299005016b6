package io.psip.routing.call;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.routing.table.Domain;
import io.psip.routing.table.RoutingTables;
import io.psip.schemas.net.Cidr;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.psip.routing.call.DigestAuthenticator.hex;
import static org.assertj.core.api.Assertions.assertThat;

class RegistrarTest {

    private static final String HOST = "acme.sip-us.example.com";
    private static final String URI = "sip:" + HOST;

    private final MutableClock clock = new MutableClock();
    private final RoutingTables tables = new RoutingTables();
    private final AtomicBoolean loaded = new AtomicBoolean(true);
    private final DigestAuthenticator digest = new DigestAuthenticator("k".getBytes(), clock, Duration.ofMinutes(5),
            List.of("MD5"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<Registrar.Bindings> published = new ArrayList<>();
    private final Registrar registrar = registrar(new Registrar.Settings(Duration.ofSeconds(60),
            Duration.ofSeconds(3600), Duration.ofSeconds(1800), 3, 5, 7, Duration.ofSeconds(120)), "routing-us-1");
    private int cseq;

    RegistrarTest() {
        tables.domains().upsert("acme", 1, domain("acme", "alice", "bob", "carol"));
        tables.domains().upsert("open", 1, new Domain("open", 1, "acct", "app-1",
                List.of(Cidr.parse("127.0.0.0/8")), false, Map.of(), null, null, null));
    }

    private Registrar registrar(Registrar.Settings settings, String instanceId) {
        Registrar r = new Registrar(new RegionalHost("us", "example.com"), tables, digest, loaded::get, settings,
                instanceId, clock, new RegistrationMetrics(meters));
        r.publishTo(published::add, () -> true);
        return r;
    }

    @Test
    void refusalsComeInRfcOrderBeforeAnyBindingChanges() {
        assertThat(code(authorize(request("acme.sip.example.com", "alice", null, List.of())))).isEqualTo(404);
        assertThat(code(authorize(request("nobody.sip-us.example.com", "alice", null, List.of())))).isEqualTo(404);
        loaded.set(false);
        assertThat(code(authorize(request(HOST, "alice", null, List.of())))).isEqualTo(503);
        loaded.set(true);
        assertThat(code(authorize(from("10.0.0.1", request(HOST, "alice", null, List.of()))))).isEqualTo(403);
        // A domain without users has nobody who may register: 403 without a challenge.
        assertThat(code(authorize(request("open.sip-us.example.com", "alice", null, List.of())))).isEqualTo(403);
        Registrar.Outcome challenge = authorize(request(HOST, "alice", null, List.of()));
        assertThat(challenge).isInstanceOfSatisfying(Registrar.Refused.class, r -> {
            assertThat(r.sipCode()).isEqualTo(401);
            assertThat(r.challenges()).singleElement().satisfies(c -> assertThat(c).contains("realm=\"acme\""));
        });
        assertThat(code(authorize(request(HOST, "alice", credentials("alice", "wrong"), List.of())))).isEqualTo(403);
        // Authenticated as bob, registering alice's address of record: nobody registers for someone else.
        assertThat(code(authorize(request(HOST, "alice", credentials("bob", "pw-bob"), List.of())))).isEqualTo(403);
        assertThat(authorize(request(HOST, "alice", credentials("alice", "pw-alice"), List.of())))
                .isEqualTo(new Registrar.Authorized("acme", "alice"));
        assertThat(meters.get("psip.sip.register.refused").tag("reason", "not_own_aor").counter().count())
                .isEqualTo(1);
        assertThat(meters.get("psip.sip.register.refused").tag("reason", "no_users").counter().count()).isEqualTo(1);
        assertThat(published).isEmpty();
    }

    @Test
    void aReplayedAuthorizationIsRefused() {
        Registrar.Register once = request(HOST, "alice", credentials("alice", "pw-alice"), List.of());
        assertThat(authorize(once)).isInstanceOf(Registrar.Authorized.class);
        assertThat(code(authorize(once))).isEqualTo(403);
    }

    @Test
    void expiryComesFromTheContactThenTheRequestThenTheDefaultAndIsClamped() {
        Registrar.Outcome done = update("alice", null, contact("sip:a@10.0.0.1:5062", 120),
                contact("sip:b@10.0.0.1:5063", null), contact("sip:c@10.0.0.1:5064", 90000));
        assertThat(bindings(done)).extracting(b -> registrar.secondsLeft(b)).containsExactlyInAnyOrder(120L, 1800L, 3600L);
        Registrar.Outcome withHeader = update("bob", 300, contact("sip:d@10.0.0.1:5065", null));
        assertThat(bindings(withHeader)).extracting(registrar::secondsLeft).containsExactly(300L);
        assertThat(published).hasSize(2);
        assertThat(published.get(0).aor()).isEqualTo("alice@acme");
        assertThat(published.get(0).bindings()).allSatisfy(b -> {
            assertThat(b.sourceAddress()).isEqualTo("127.0.0.1");
            assertThat(b.sourcePort()).isEqualTo(40000);
            assertThat(b.transport()).isEqualTo("udp");
            assertThat(b.instanceId()).isEqualTo("routing-us-1");
        });
    }

    @Test
    void overTcpOrTlsTheExpiryIsAtMostTheConnectionsIdleTimeout() {
        assertThat(bindings(askedOver("tcp"))).extracting(registrar::secondsLeft)
                .containsExactlyInAnyOrder(120L, 90L, 120L);
        assertThat(bindings(askedOver("tls"))).extracting(registrar::secondsLeft)
                .containsExactlyInAnyOrder(120L, 90L, 120L);
        // Over UDP no connection is held: the usual bounds.
        assertThat(bindings(askedOver("udp"))).extracting(registrar::secondsLeft)
                .containsExactlyInAnyOrder(3600L, 90L, 1800L);
    }

    private Registrar.Outcome askedOver(String transport) {
        return registrar.update(new Registrar.Authorized("acme", "alice"), over(transport, request(HOST, "alice",
                null, List.of(contact("sip:a@10.0.0.1", 3600), contact("sip:b@10.0.0.1", 90),
                        contact("sip:c@10.0.0.1", null)))));
    }

    @Test
    void anIdleTimeoutBelowMinExpiresKeepsMinExpires() {
        Registrar conflicting = registrar(new Registrar.Settings(Duration.ofSeconds(60), Duration.ofSeconds(3600),
                Duration.ofSeconds(1800), 3, 5, 7, Duration.ofSeconds(30)), "routing-us-1");
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(Registrar.class);
        logger.addAppender(logged);
        logged.start();
        try {
            conflicting.start();
        } finally {
            conflicting.close();
            logger.detachAppender(logged);
        }
        assertThat(logged.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("idle-timeout PT30S", "min-expires PT1M");
        });
        Registrar.Authorized alice = new Registrar.Authorized("acme", "alice");
        assertThat(bindings(conflicting.update(alice, over("tcp", request(HOST, "alice", null,
                List.of(contact("sip:a@10.0.0.1", 3600)))))))
                .extracting(conflicting::secondsLeft).containsExactly(60L);
        assertThat(conflicting.update(alice, over("tcp", request(HOST, "alice", null,
                List.of(contact("sip:a@10.0.0.1", 30))))))
                .isInstanceOfSatisfying(Registrar.Refused.class, r -> assertThat(r.minExpires()).isEqualTo(60));
        // Zero: connections are never closed for idleness, so nothing shortens the expiry.
        Registrar unbounded = registrar(new Registrar.Settings(Duration.ofSeconds(60), Duration.ofSeconds(3600),
                Duration.ofSeconds(1800), 3, 5, 7, Duration.ZERO), "routing-us-1");
        assertThat(bindings(unbounded.update(alice, over("tcp", request(HOST, "alice", null,
                List.of(contact("sip:a@10.0.0.1", 3600)))))))
                .extracting(unbounded::secondsLeft).containsExactly(3600L);
    }

    @Test
    void tooBriefGets423WithMinExpiresButZeroRemoves() {
        Registrar.Outcome brief = update("alice", null, contact("sip:a@10.0.0.1", 59));
        assertThat(brief).isInstanceOfSatisfying(Registrar.Refused.class, r -> {
            assertThat(r.sipCode()).isEqualTo(423);
            assertThat(r.minExpires()).isEqualTo(60);
        });
        update("alice", null, contact("sip:a@10.0.0.1", 60));
        assertThat(bindings(update("alice", 0, contact("sip:a@10.0.0.1", null)))).isEmpty();
        assertThat(registrar.contactsOf("acme", "alice")).isEmpty();
        assertThat(published).hasSize(2);
        assertThat(published.get(1).bindings()).isEmpty();
    }

    @Test
    void reRegisteringRefreshesAndTheWildcardRemovesAll() {
        update("alice", null, contact("sip:a@10.0.0.1", 100), contact("sip:b@10.0.0.1", 100));
        clock.advance(Duration.ofSeconds(50));
        Registrar.Outcome refreshed = update("alice", null, contact("sip:a@10.0.0.1", 100));
        assertThat(bindings(refreshed)).extracting(Registrar.Binding::contact, registrar::secondsLeft)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("sip:b@10.0.0.1", 50L),
                        org.assertj.core.groups.Tuple.tuple("sip:a@10.0.0.1", 100L));
        assertThat(code(updateWildcard("alice", 60, List.of()))).isEqualTo(400);
        assertThat(code(updateWildcard("alice", 0, List.of(contact("sip:a@10.0.0.1", null))))).isEqualTo(400);
        assertThat(code(updateWildcard("alice", null, List.of()))).isEqualTo(400);
        assertThat(bindings(updateWildcard("alice", 0, List.of()))).isEmpty();
        assertThat(registrar.size()).isZero();
    }

    @Test
    void theSameCallIdWithACSeqNotHigherIsRefused() {
        Registrar.Authorized alice = new Registrar.Authorized("acme", "alice");
        Registrar.Register first = withCall("call-1", 5, request(HOST, "alice", null,
                List.of(contact("sip:a@10.0.0.1", 100))));
        assertThat(registrar.update(alice, first)).isInstanceOf(Registrar.Registered.class);
        assertThat(code(registrar.update(alice, withCall("call-1", 5, first)))).isEqualTo(500);
        assertThat(code(registrar.update(alice, withCall("call-1", 4, first)))).isEqualTo(500);
        assertThat(registrar.update(alice, withCall("call-1", 6, first))).isInstanceOf(Registrar.Registered.class);
        // Another Call-ID (a phone restarted) replaces the binding whatever its CSeq.
        assertThat(registrar.update(alice, withCall("call-2", 1, first))).isInstanceOf(Registrar.Registered.class);
    }

    @Test
    void limitsRefuseBeyondTheBoundAndCountIt() {
        assertThat(bindings(update("alice", 100, contact("sip:1@h", null), contact("sip:2@h", null),
                contact("sip:3@h", null)))).hasSize(3);
        assertThat(code(update("alice", 100, contact("sip:4@h", null)))).isEqualTo(403);
        // Refreshing within the bound still works.
        assertThat(bindings(update("alice", 100, contact("sip:3@h", null)))).hasSize(3);
        update("bob", 100, contact("sip:1@h", null), contact("sip:2@h", null));
        assertThat(code(update("carol", 100, contact("sip:1@h", null)))).isEqualTo(403); // domain: 5
        tables.domains().upsert("beta", 1, domain("beta", "dave"));
        Registrar.Authorized dave = new Registrar.Authorized("beta", "dave");
        assertThat(registrar.update(dave, request("beta.sip-us.example.com", "dave", null, List.of(
                contact("sip:1@h", 100), contact("sip:2@h", 100), contact("sip:3@h", 100)))))
                .isInstanceOfSatisfying(Registrar.Refused.class, r -> assertThat(r.sipCode()).isEqualTo(503));
        assertThat(meters.get("psip.sip.register.refused").tag("reason", "aor_limit").counter().count()).isEqualTo(1);
        assertThat(meters.get("psip.sip.register.refused").tag("reason", "domain_limit").counter().count())
                .isEqualTo(1);
        assertThat(meters.get("psip.sip.register.refused").tag("reason", "instance_limit").counter().count())
                .isEqualTo(1);
        assertThat(meters.get("psip.sip.registrations").gauge().value()).isEqualTo(5);
    }

    @Test
    void bindingsExpireOnTimeAndOnlyTheTakerPublishesIt() {
        update("alice", null, contact("sip:a@10.0.0.1", 60), contact("sip:b@10.0.0.1", 120));
        published.clear();
        clock.advance(Duration.ofSeconds(59));
        registrar.expireDue();
        assertThat(published).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        registrar.expireDue();
        assertThat(published).singleElement().satisfies(p -> assertThat(p.bindings())
                .extracting(Registrar.Binding::contact).containsExactly("sip:b@10.0.0.1"));
        assertThat(registrar.size()).isEqualTo(1);

        // Another instance's binding is forgotten on time here too, but not published from here.
        registrar.apply("bob@acme", new Registrar.Bindings("acme", "bob", 1, List.of(binding("sip:x@h",
                clock.instant().plusSeconds(10), "routing-us-2"))));
        published.clear();
        clock.advance(Duration.ofSeconds(10));
        registrar.expireDue();
        assertThat(registrar.contactsOf("acme", "bob")).isEmpty();
        assertThat(published).isEmpty();
    }

    @Test
    void changesReadBackKeepTheNewestVersionAndDropWhatExpired() {
        Instant later = clock.instant().plusSeconds(600);
        registrar.apply("bob@acme", new Registrar.Bindings("acme", "bob", 10, List.of(binding("sip:new@h", later,
                "routing-us-2"))));
        registrar.apply("bob@acme", new Registrar.Bindings("acme", "bob", 9, List.of(binding("sip:old@h", later,
                "routing-us-2"))));
        assertThat(registrar.contactsOf("acme", "bob")).extracting(Registrations.Contact::uri)
                .containsExactly("sip:new@h");
        registrar.apply("carol@acme", new Registrar.Bindings("acme", "carol", 1, List.of(
                binding("sip:gone@h", clock.instant().minusSeconds(1), "routing-us-2"))));
        assertThat(registrar.contactsOf("acme", "carol")).isEmpty();
        assertThat(registrar.size()).isEqualTo(1);
        registrar.apply("bob@acme", null);
        assertThat(registrar.contactsOf("acme", "bob")).isEmpty();
        assertThat(registrar.size()).isZero();
        assertThat(published).isEmpty();
    }

    @Test
    void contactsComeMostPreferredFirstWithWhereTheyRegisteredFrom() {
        Instant at = clock.instant().plusSeconds(600);
        registrar.apply("bob@acme", new Registrar.Bindings("acme", "bob", 1, List.of(
                new Registrar.Binding("sip:low@h", at, 0.1f, "192.0.2.1", 5070, "tcp", "routing-us-2", "c", 1),
                new Registrar.Binding("sip:none@h", at, null, "192.0.2.2", 5071, "udp", "routing-us-2", "c", 1),
                new Registrar.Binding("sip:mid@h", at, 0.5f, "192.0.2.3", 5072, "tls", "routing-us-3", "c", 1))));
        assertThat(registrar.contactsOf("ACME", "bob")).containsExactly(
                new Registrations.Contact("sip:none@h", "192.0.2.2", 5071, "udp", "routing-us-2", at),
                new Registrations.Contact("sip:mid@h", "192.0.2.3", 5072, "tls", "routing-us-3", at),
                new Registrations.Contact("sip:low@h", "192.0.2.1", 5070, "tcp", "routing-us-2", at));
        // The domain deleted, or the user removed from it: the bindings are no longer returned.
        tables.domains().upsert("acme", 2, domain("acme", "alice"));
        assertThat(registrar.contactsOf("acme", "bob")).isEmpty();
        tables.domains().tombstone("acme");
        assertThat(registrar.contactsOf("acme", "alice")).isEmpty();
    }

    // ---- helpers ----

    private Registrar.Outcome authorize(Registrar.Register register) {
        return registrar.authorize(register);
    }

    private Registrar.Outcome update(String user, Integer expires, Registrar.RequestedContact... contacts) {
        return registrar.update(new Registrar.Authorized("acme", user), withExpires(expires,
                request(HOST, user, null, List.of(contacts))));
    }

    private Registrar.Outcome updateWildcard(String user, Integer expires, List<Registrar.RequestedContact> others) {
        Registrar.Register r = withExpires(expires, request(HOST, user, null, others));
        return registrar.update(new Registrar.Authorized("acme", user), new Registrar.Register(r.requestUri(),
                r.requestUriHost(), r.toUser(), r.toHost(), r.authorization(), r.sourceAddress(), r.sourcePort(),
                r.transport(), r.callId(), r.cseq(), true, r.contacts(), r.expires()));
    }

    private Registrar.Register request(String host, String user, String authorization,
                                       List<Registrar.RequestedContact> contacts) {
        return new Registrar.Register("sip:" + host, host, user, host, authorization, "127.0.0.1", 40000, "udp",
                "call-" + user, ++cseq, false, contacts, null);
    }

    private static Registrar.Register from(String source, Registrar.Register r) {
        return new Registrar.Register(r.requestUri(), r.requestUriHost(), r.toUser(), r.toHost(), r.authorization(),
                source, r.sourcePort(), r.transport(), r.callId(), r.cseq(), r.wildcard(), r.contacts(), r.expires());
    }

    private static Registrar.Register over(String transport, Registrar.Register r) {
        return new Registrar.Register(r.requestUri(), r.requestUriHost(), r.toUser(), r.toHost(), r.authorization(),
                r.sourceAddress(), r.sourcePort(), transport, r.callId(), r.cseq(), r.wildcard(), r.contacts(),
                r.expires());
    }

    private static Registrar.Register withExpires(Integer expires, Registrar.Register r) {
        return new Registrar.Register(r.requestUri(), r.requestUriHost(), r.toUser(), r.toHost(), r.authorization(),
                r.sourceAddress(), r.sourcePort(), r.transport(), r.callId(), r.cseq(), r.wildcard(), r.contacts(),
                expires);
    }

    private static Registrar.Register withCall(String callId, long cseq, Registrar.Register r) {
        return new Registrar.Register(r.requestUri(), r.requestUriHost(), r.toUser(), r.toHost(), r.authorization(),
                r.sourceAddress(), r.sourcePort(), r.transport(), callId, cseq, r.wildcard(), r.contacts(),
                r.expires());
    }

    private static Registrar.RequestedContact contact(String uri, Integer expires) {
        return new Registrar.RequestedContact(uri, expires, null);
    }

    private static Registrar.Binding binding(String contact, Instant expiresAt, String instanceId) {
        return new Registrar.Binding(contact, expiresAt, null, "192.0.2.9", 5060, "udp", instanceId, "c", 1);
    }

    private static List<Registrar.Binding> bindings(Registrar.Outcome outcome) {
        assertThat(outcome).isInstanceOf(Registrar.Registered.class);
        return ((Registrar.Registered) outcome).bindings();
    }

    private static int code(Registrar.Outcome outcome) {
        assertThat(outcome).isInstanceOf(Registrar.Refused.class);
        return ((Registrar.Refused) outcome).sipCode();
    }

    /** Users whose password is {@code pw-<user>}, realm = the domain name; open to 127.0.0.0/8. */
    private static Domain domain(String name, String... users) {
        Map<String, Domain.DigestCredentials> credentials = new java.util.HashMap<>();
        for (String user : users) {
            credentials.put(user, new Domain.DigestCredentials(user,
                    hex("MD5", user + ":" + name + ":pw-" + user), hex("SHA-256", user + ":" + name + ":pw-" + user)));
        }
        return new Domain(name, 1, "acct", "app-1", List.of(Cidr.parse("127.0.0.0/8")), true, credentials, null,
                null, null);
    }

    /** An Authorization header answering a fresh challenge for REGISTER to {@link #URI}. */
    private String credentials(String user, String password) {
        Matcher m = Pattern.compile("nonce=\"([^\"]+)\"").matcher(digest.challenges("acme", false).get(0));
        assertThat(m.find()).isTrue();
        String nonce = m.group(1);
        String ha1 = hex("MD5", user + ":acme:" + password);
        String ha2 = hex("MD5", "REGISTER:" + URI);
        String response = hex("MD5", ha1 + ":" + nonce + ":00000001:0a4f113b:auth:" + ha2);
        return "Digest username=\"" + user + "\", realm=\"acme\", nonce=\"" + nonce + "\", uri=\"" + URI
                + "\", response=\"" + response + "\", algorithm=MD5, cnonce=\"0a4f113b\", qop=auth, nc=00000001";
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
