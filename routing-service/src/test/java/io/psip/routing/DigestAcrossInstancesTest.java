package io.psip.routing;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.routing.call.AdmissionPolicy;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.call.DigestAuthenticator;
import io.psip.routing.call.OverloadPolicy;
import io.psip.routing.call.RegionalHost;
import io.psip.routing.sip.EdgeFixtures;
import io.psip.routing.sip.SipEdge;
import io.psip.routing.sip.SipSettings;
import io.psip.routing.table.Application;
import io.psip.routing.table.Domain;
import io.psip.routing.table.RoutingTables;
import io.psip.schemas.net.Cidr;
import io.psip.testsupport.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.psip.routing.call.DigestAuthenticator.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Digest nonces over real SIP (UDP) between SIP edges: two instances of a region that read the same
 * {@code digest-secret-file} take each other's nonces; an instance with another key (one restarted without the
 * shared file, or a forger) sees them as not its own and challenges again instead of refusing; a replayed
 * Authorization header is still refused.
 */
class DigestAcrossInstancesTest {

    private static final String HOST = "secure.sip-us.example.com";
    private static final String URI = "sip:999@" + HOST;

    private final List<SipEdge> edges = new ArrayList<>();
    private final List<CallEvent> events = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        edges.forEach(SipEdge::stop);
    }

    @Test
    void instancesSharingTheKeyFileTakeEachOthersNoncesAndOthersChallengeAgain(@TempDir Path dir) throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path keyFile = dir.resolve("nonce.key");
        Files.write(keyFile, key);
        int first = edge(RoutingConfiguration.digestSecret(keyFile.toString()));
        int second = edge(RoutingConfiguration.digestSecret(keyFile.toString()));
        int restarted = edge(RoutingConfiguration.digestSecret(null));

        String nonce = nonceOf(RawSip.udp(first, invite("")).orElseThrow(), false);
        String authorization = authorization("s3cret", nonce);

        // Challenged by one instance, admitted by the other: it waits for a command that never comes (480).
        assertThat(RawSip.udp(second, invite(authorization)))
                .hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 480"));
        await().atMost(Duration.ofSeconds(5)).until(() -> events.stream()
                .anyMatch(e -> e.getType() == CallEventType.OFFERED));

        // The same header again, on a new call: refused, not admitted twice.
        assertThat(RawSip.udp(second, invite(authorization)))
                .hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 403"));

        // An instance with another key: the right password on a nonce it did not sign is asked again, stale=true.
        String stale = RawSip.udp(restarted, invite(authorization("s3cret", nonce))).orElseThrow();
        String fresh = nonceOf(stale, true);
        // ... and the caller's retry on the fresh nonce gets in.
        assertThat(RawSip.udp(restarted, invite(authorization("s3cret", fresh))))
                .hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 480"));

        // A forged nonce with a made-up response: a fresh challenge without stale, never 200 or 403.
        String forgedNonce = "AAAAAAAAAAAAAAAAAAAAAA." + "A".repeat(43);
        nonceOf(RawSip.udp(first, invite(authorization("guess", forgedNonce))).orElseThrow(), false);
        // A wrong password on a nonce the instance issued is still 403.
        String issued = nonceOf(RawSip.udp(first, invite("")).orElseThrow(), false);
        assertThat(RawSip.udp(first, invite(authorization("guess", issued))))
                .hasValueSatisfying(r -> assertThat(r).startsWith("SIP/2.0 403"));
        assertThat(events).filteredOn(e -> e.getType() == CallEventType.OFFERED).hasSize(2);
    }

    @Test
    void theKeyFileIsReadWithoutItsLineBreakAndATooShortOneStopsTheStart(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("text.key"), "0123456789abcdef0123456789abcdef\n");
        assertThat(RoutingConfiguration.digestSecret(text.toString()))
                .isEqualTo("0123456789abcdef0123456789abcdef".getBytes());
        Path tooShort = Files.writeString(dir.resolve("short.key"), "secret\n");
        assertThatThrownBy(() -> RoutingConfiguration.digestSecret(tooShort.toString()))
                .isInstanceOf(IllegalStateException.class).hasMessageNotContaining("secret\n");
        assertThat(RoutingConfiguration.digestSecret(null)).hasSize(32);
    }

    private int edge(byte[] key) throws Exception {
        RoutingTables tables = new RoutingTables();
        tables.applications().upsert("app-1", 1, new Application("app-1", 1, "acct", "app"));
        tables.domains().upsert("secure", 1, new Domain("secure", 1, "acct", "app-1",
                List.of(Cidr.parse("127.0.0.1")), true, Map.of("alice", new Domain.DigestCredentials("alice",
                hex("MD5", "alice:secure:s3cret"), hex("SHA-256", "alice:secure:s3cret"))), null, null, null));
        AdmissionPolicy admission = new AdmissionPolicy(new RegionalHost("us", "example.com"), tables,
                new DigestAuthenticator(key, Clock.systemUTC(), Duration.ofMinutes(5), List.of("MD5")), () -> true);
        int port = FreePorts.sip();
        SipEdge edge = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2),
                1 << 20, 1, 100, Duration.ofSeconds(1), new OverloadPolicy.Limits(Duration.ofSeconds(2),
                Duration.ofSeconds(2), 100, Duration.ofSeconds(5)), null, EdgeFixtures.loopbackFarEnds(port),
                EdgeFixtures.SERVICE_DEFAULT_TRANSPORT),
                admission, events::add,
                new CallMetrics(new SimpleMeterRegistry()), Clock.systemUTC(),
                new Call.CallOrigin("us", "digest-test-" + port));
        edges.add(edge);
        edge.start();
        return port;
    }

    /** A new call's INVITE, with an Authorization header unless {@code authorization} is empty. */
    private static String invite(String authorization) {
        return RawSip.invite(HOST, "Max-Forwards: 70\r\n"
                + (authorization.isEmpty() ? "" : "Authorization: " + authorization + "\r\n"), "SIP/2.0");
    }

    /** The nonce of a 401's MD5 challenge, which must say {@code stale=true} exactly when {@code stale}. */
    private static String nonceOf(String response, boolean stale) {
        assertThat(response).startsWith("SIP/2.0 401");
        Matcher challenge = Pattern.compile("WWW-Authenticate: (Digest [^\r\n]*)").matcher(response);
        assertThat(challenge.find()).as(response).isTrue();
        assertThat(challenge.group(1).contains("stale=true")).as(challenge.group(1)).isEqualTo(stale);
        Matcher nonce = Pattern.compile("nonce=\"([^\"]+)\"").matcher(challenge.group(1));
        assertThat(nonce.find()).isTrue();
        return nonce.group(1);
    }

    private static String authorization(String password, String nonce) {
        String ha1 = hex("MD5", "alice:secure:" + password);
        String response = hex("MD5", ha1 + ":" + nonce + ":00000001:c0ffee:auth:" + hex("MD5", "INVITE:" + URI));
        return "Digest username=\"alice\", realm=\"secure\", nonce=\"" + nonce + "\", uri=\"" + URI
                + "\", response=\"" + response + "\", algorithm=MD5, cnonce=\"c0ffee\", qop=auth, nc=00000001";
    }
}
