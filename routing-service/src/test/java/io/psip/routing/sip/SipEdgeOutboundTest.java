package io.psip.routing.sip;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.ConnectSip;
import io.psip.routing.Sipp;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.call.DestinationPolicy;
import io.psip.schemas.net.Cidr;
import io.psip.schemas.net.DestinationPattern;
import io.psip.testsupport.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * NCCO connect targets on a real edge with sipp callers: a target the destination policy refuses gets no packet
 * and the call fails with 403 / destination_not_allowed; a black-holed TCP target does not hold up another call on
 * the same lane; over TLS the far end's certificate and name are checked against the outbound trust store. Every
 * target is on 127.0.0.0/8; the denied range is a loopback range configured as denied.
 */
class SipEdgeOutboundTest {

    private final int port = FreePorts.sip();
    private final List<CallEvent> events = new CopyOnWriteArrayList<>();
    /** The connect target of each called number. */
    private final Map<String, String> targets = new ConcurrentHashMap<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private SipEdge edge;

    @AfterEach
    void stop() throws Exception {
        if (edge != null) {
            edge.stop();
        }
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    @Test
    void aTargetInADeniedRangeGetsNoPacketAndTheCallFails() throws Exception {
        start(new DestinationPolicy(List.of(Cidr.parse("127.0.0.64/26")), List.of(), Set.of(port), Set.of()),
                Duration.ofSeconds(2), null, null);
        DatagramSocket denied = closeLater(new DatagramSocket(new InetSocketAddress("127.0.0.65", 0)));
        targets.put("201", "sip:bob@127.0.0.65:" + denied.getLocalPort());

        assertThat(call("201", 403).exitCode()).isZero();

        assertRefused("201");
        assertThat(refused("denied_range")).isEqualTo(1);
        assertNothingArrives(denied);
    }

    @Test
    void thePlatformsOwnPortsGetNoPacketEvenOnAnAllowedAddress() throws Exception {
        ServerSocket platformService = closeLater(new ServerSocket(0, 10, InetAddress.getLoopbackAddress()));
        start(new DestinationPolicy(DestinationPolicy.DEFAULT_DENY.stream().map(Cidr::parse).toList(),
                List.of(Cidr.parse("127.0.0.1/32")), Set.of(port, platformService.getLocalPort()), Set.of()),
                Duration.ofSeconds(2), null, null);
        targets.put("202", "sip:bob@127.0.0.1:" + port);
        targets.put("203", "sip:bob@127.0.0.1:" + platformService.getLocalPort() + ";transport=tcp");

        assertThat(call("202", 403).exitCode()).isZero();
        assertThat(call("203", 403).exitCode()).isZero();

        assertRefused("202");
        assertRefused("203");
        assertThat(refused("platform_port")).isEqualTo(2);
        // A looped INVITE would have been refused by this edge as a foreign host (404).
        assertThat(registry.find("psip.calls.rejected").tag("code", "404").counter()).isNull();
        platformService.setSoTimeout(500);
        assertThatThrownBy(platformService::accept).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void aFarEndThatAnswersWithADeniedContactGetsNoAckAndTheCallFails() throws Exception {
        start(new DestinationPolicy(List.of(Cidr.parse("127.0.0.64/26")), List.of(), Set.of(port), Set.of()),
                Duration.ofSeconds(2), null, null);
        DatagramSocket denied = closeLater(new DatagramSocket(new InetSocketAddress("127.0.0.65", 0)));
        int farEndPort = FreePorts.sip();
        Sipp farEnd = Sipp.start("uas-foreign-contact.xml",
                Map.of("FOREIGN_CONTACT", "127.0.0.65:" + denied.getLocalPort()), "-i", "127.0.0.1", "-p",
                Integer.toString(farEndPort), "-m", "1");
        targets.put("204", "sip:bob@127.0.0.1:" + farEndPort);

        assertThat(call("204", 403).exitCode()).isZero();
        assertThat(farEnd.exitCode()).as(farEnd::logs).isZero();

        assertRefused("204");
        assertThat(refused("denied_range")).isEqualTo(1);
        assertNothingArrives(denied);
    }

    /**
     * A TCP caller gone before its final response: the RI reconnects to its address and port (nobody listens
     * there any more), then retries its Via's sent-by, an address the caller chose. The network layer checks that
     * new connection against the operator's policy too, refuses it and counts it.
     */
    @Test
    void aGoneTcpCallersViaInADeniedRangeGetsNoConnection() throws Exception {
        start(new DestinationPolicy(List.of(Cidr.parse("127.0.0.64/26")), List.of(), Set.of(port), Set.of()),
                Duration.ofSeconds(2), null, null);
        ServerSocket denied = closeLater(new ServerSocket(0, 10, InetAddress.getByName("127.0.0.65")));
        String sentBy = "127.0.0.65:" + denied.getLocalPort();
        String id = UUID.randomUUID().toString();
        Socket caller = closeLater(new Socket(InetAddress.getLoopbackAddress(), port));
        caller.getOutputStream().write(("INVITE sip:207@acme.sip-us.example.com SIP/2.0\r\n"
                + "Via: SIP/2.0/TCP " + sentBy + ";branch=z9hG4bK" + id + "\r\n"
                + "From: <sip:mallory@" + sentBy + ">;tag=" + id.substring(0, 8) + "\r\n"
                + "To: <sip:207@acme.sip-us.example.com>\r\n"
                + "Call-ID: gone-" + id + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:mallory@" + sentBy + ";transport=tcp>\r\n"
                + "Max-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        CallEvent offered = await().atMost(Duration.ofSeconds(10)).until(() -> offered("207"), Optional::isPresent)
                .orElseThrow();
        caller.setSoLinger(true, 0);
        caller.close();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> edge.connectionsFrom(InetAddress.getLoopbackAddress()) == 0);

        edge.execute(CallCommand.newBuilder().setCommandId(UUID.randomUUID().toString()).setOccurredAt(Instant.now())
                .setCallUuid(offered.getCallUuid()).setRegion("us").setInstanceId("outbound-test")
                .setAction(CallAction.REJECT).setSipCode(486).build());

        assertThat(awaitFinal("207").getType()).isEqualTo(CallEventType.FAILED);
        await().atMost(Duration.ofSeconds(10)).until(() -> dropped("connect_refused") >= 1);
        denied.setSoTimeout(500);
        assertThatThrownBy(denied::accept).isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void aTargetOutsideTheAccountsAllowListGetsNoPacketAndTheCallFails() throws Exception {
        DatagramSocket farEnd = closeLater(new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)));
        // the operator allows 127.0.0.1; the account (the acme domain's, "acct") only another port of it
        int otherPort = farEnd.getLocalPort() == 5090 ? 5091 : 5090;
        start(accountRestricted("acct", "127.0.0.1:" + otherPort, "*.example.com"), Duration.ofSeconds(2), null, null);
        targets.put("501", "sip:bob@127.0.0.1:" + farEnd.getLocalPort());

        assertThat(call("501", 403).exitCode()).isZero();

        assertRefused("501");
        assertThat(refused("account_allow_list")).isEqualTo(1);
        assertNothingArrives(farEnd);
    }

    @Test
    void aTargetTheAccountsAllowListIncludesIsConnected() throws Exception {
        int farEndPort = FreePorts.sip();
        start(accountRestricted("acct", "127.0.0.0/29:" + farEndPort), Duration.ofSeconds(2), null, null);
        targets.put("502", "sip:bob@127.0.0.1:" + farEndPort);
        Sipp farEnd = Sipp.start("uas.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(farEndPort),
                "-m", "1");
        Sipp caller = Sipp.start("uac.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(FreePorts.sip()),
                "-m", "1", "-s", "502", "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + port);

        assertThat(farEnd.exitCode()).as(farEnd::logs).isZero();
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        assertThat(awaitFinal("502").getType()).isEqualTo(CallEventType.COMPLETED);
        assertThat(refused("account_allow_list")).isZero();
    }

    @Test
    void aBlackHoledTcpTargetDoesNotDelayAnotherCallsByeOnTheSameLane() throws Exception {
        Duration connectTimeout = Duration.ofSeconds(8);
        start(EdgeFixtures.loopbackFarEnds(port).policy(), connectTimeout, null, null);
        int blackHole = blackHole();
        int farEndPort = FreePorts.sip();
        targets.put("301", "sip:bob@127.0.0.1:" + blackHole + ";transport=tcp");
        targets.put("302", "sip:bob@127.0.0.1:" + farEndPort);

        Sipp stuck = call("301", 480);
        await().atMost(Duration.ofSeconds(10)).until(() -> offered("301").isPresent());
        long connecting = System.nanoTime();
        Sipp farEnd = Sipp.start("uas.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(farEndPort),
                "-m", "1");
        Sipp caller = Sipp.start("uac.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(FreePorts.sip()),
                "-m", "1", "-s", "302", "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + port);

        // One lane serves both calls: the far end gets its BYE while the black-holed connect is still waiting.
        assertThat(farEnd.exitCode()).as(farEnd::logs).isZero();
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        long otherCallDone = System.nanoTime();
        assertThat(finalEvent("301")).as("the black-holed call is still connecting").isEmpty();
        assertThat(finalEvent("302")).hasValueSatisfying(e -> assertThat(e.getType())
                .isEqualTo(CallEventType.COMPLETED));

        CallEvent failed = awaitFinal("301");
        System.out.printf("black-holed TCP connect in flight: the other call on its lane was over (BYE relayed) "
                + "%d ms after it began; the black-holed call failed after %d ms (connect timeout %d ms)%n",
                (otherCallDone - connecting) / 1_000_000, (System.nanoTime() - connecting) / 1_000_000,
                connectTimeout.toMillis());
        assertThat(failed.getType()).isEqualTo(CallEventType.FAILED);
        assertThat(failed.getSipCode()).isEqualTo(480);
        assertThat(failed.getReason()).isEqualTo("connect_failed");
        assertThat(stuck.exitCode()).as(stuck::logs).isZero();
    }

    @Test
    void aTlsFarEndTheTrustStoreVouchesForGetsTheInvite(@TempDir Path dir) throws Exception {
        Path farEndKeys = EdgeFixtures.selfSignedKeyStore(dir.resolve("far.p12"), "CN=bob", "ip:127.0.0.1");
        TlsFarEnd farEnd = closeLater(new TlsFarEnd(farEndKeys));
        start(EdgeFixtures.loopbackFarEnds(port).policy(), Duration.ofSeconds(2), dir,
                EdgeFixtures.trustStoreOf(farEndKeys, dir.resolve("trust.p12")));
        targets.put("401", "sips:bob@127.0.0.1:" + farEnd.port());

        assertThat(call("401", 486).exitCode()).isZero();
        assertThat(farEnd.invites()).singleElement().satisfies(invite ->
                assertThat(invite).startsWith("INVITE sips:bob@127.0.0.1:" + farEnd.port() + " SIP/2.0"));
        assertThat(awaitFinal("401").getType()).isEqualTo(CallEventType.BUSY);
    }

    @Test
    void aTlsFarEndNobodyVouchesForGetsNoInviteAndTheCallFails(@TempDir Path dir) throws Exception {
        TlsFarEnd farEnd = closeLater(new TlsFarEnd(EdgeFixtures.selfSignedKeyStore(dir.resolve("far.p12"),
                "CN=bob", "ip:127.0.0.1")));
        start(EdgeFixtures.loopbackFarEnds(port).policy(), Duration.ofSeconds(2), dir, null);
        targets.put("402", "sip:bob@127.0.0.1:" + farEnd.port() + ";transport=tls");

        assertThat(call("402", 480).exitCode()).isZero();
        CallEvent failed = awaitFinal("402");
        assertThat(failed.getType()).isEqualTo(CallEventType.FAILED);
        assertThat(failed.getReason()).isEqualTo("tls_failed");
        assertThat(farEnd.connections()).isPositive();
        assertThat(farEnd.invites()).isEmpty();
    }

    @Test
    void trustingSelfSignedFarEndsStillChecksTheirName(@TempDir Path dir) throws Exception {
        TlsFarEnd right = closeLater(new TlsFarEnd(EdgeFixtures.selfSignedKeyStore(dir.resolve("right.p12"),
                "CN=bob", "ip:127.0.0.1")));
        TlsFarEnd wrong = closeLater(new TlsFarEnd(EdgeFixtures.selfSignedKeyStore(dir.resolve("wrong.p12"),
                "CN=other", "dns:other.example")));
        start(EdgeFixtures.loopbackFarEnds(port).policy(), Duration.ofSeconds(2), dir, null, true);
        targets.put("403", "sips:bob@127.0.0.1:" + right.port());
        targets.put("404", "sips:bob@127.0.0.1:" + wrong.port());

        assertThat(call("403", 486).exitCode()).isZero();
        assertThat(right.invites()).hasSize(1);
        assertThat(call("404", 480).exitCode()).isZero();
        assertThat(awaitFinal("404").getReason()).isEqualTo("tls_failed");
        assertThat(wrong.invites()).isEmpty();
    }

    @Test
    void aTlsTargetWithoutAListenerFailsWithoutA500(@TempDir Path dir) throws Exception {
        start(EdgeFixtures.loopbackFarEnds(port).policy(), Duration.ofSeconds(2), dir, null);
        targets.put("405", "sips:bob@127.0.0.1:" + FreePorts.tcp());

        assertThat(call("405", 480).exitCode()).isZero();
        CallEvent failed = awaitFinal("405");
        assertThat(failed.getType()).isEqualTo(CallEventType.FAILED);
        assertThat(failed.getSipCode()).isEqualTo(480);
        assertThat(failed.getReason()).isEqualTo("connect_failed");
    }

    @Test
    void aTlsTargetFromAnEdgeWithoutTlsFailsWithoutA500() throws Exception {
        start(EdgeFixtures.loopbackFarEnds(port).policy(), Duration.ofSeconds(2), null, null);
        targets.put("406", "sips:bob@127.0.0.1:" + FreePorts.tcp());

        assertThat(call("406", 480).exitCode()).isZero();
        assertThat(awaitFinal("406").getReason()).isEqualTo("transport_unavailable");
    }

    // ---- helpers ----

    /** The operator's policy of {@link EdgeFixtures#loopbackFarEnds}, and {@code accountId} restricted to {@code allow}. */
    private DestinationPolicy accountRestricted(String accountId, String... allow) {
        List<DestinationPattern> patterns = java.util.Arrays.stream(allow).map(DestinationPattern::parse).toList();
        return new DestinationPolicy(DestinationPolicy.DEFAULT_DENY.stream().map(Cidr::parse).toList(),
                List.of(Cidr.parse("127.0.0.1/32")), Set.of(port), Set.of(),
                id -> accountId.equals(id) ? Optional.of(patterns) : Optional.empty());
    }

    private void start(DestinationPolicy policy, Duration connectTimeout, Path tlsDir, Path trustStore)
            throws Exception {
        start(policy, connectTimeout, tlsDir, trustStore, false);
    }

    /** An edge on one lane (every call shares it); TLS with its own key store when {@code tlsDir} is given. */
    private void start(DestinationPolicy policy, Duration connectTimeout, Path tlsDir, Path trustStore,
                       boolean trustSelfSigned) throws Exception {
        SipSettings.Tls tls = tlsDir == null ? null : new SipSettings.Tls(FreePorts.sip(),
                EdgeFixtures.selfSignedKeyStore(tlsDir.resolve("edge.p12"), "CN=edge", "ip:127.0.0.1").toString(),
                "changeit", "PKCS12");
        SipSettings.Outbound outbound = new SipSettings.Outbound(policy, Duration.ofSeconds(2), connectTimeout,
                trustStore == null ? null : trustStore.toString(), "changeit", "PKCS12", trustSelfSigned);
        edge = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2), 1 << 20, 1,
                100, Duration.ofSeconds(20), EdgeFixtures.GENEROUS_LIMITS, tls, outbound,
                EdgeFixtures.SERVICE_DEFAULT_TRANSPORT),
                EdgeFixtures.acmeOpenToLoopback(), this::published, new CallMetrics(registry), Clock.systemUTC(),
                new Call.CallOrigin("us", "outbound-test"));
        edge.start();
        await().atMost(Duration.ofSeconds(15)).until(edge::listening);
    }

    /** Stands in for the webhook service: every offered call is connected to its number's target. */
    private void published(CallEvent event) {
        events.add(event);
        String target = targets.get(event.getTo());
        if (event.getType() == CallEventType.OFFERED && target != null) {
            edge.execute(CallCommand.newBuilder().setCommandId(UUID.randomUUID().toString())
                    .setOccurredAt(Instant.now()).setCallUuid(event.getCallUuid()).setRegion("us")
                    .setInstanceId("outbound-test").setAction(CallAction.CONNECT)
                    .setConnect(ConnectSip.newBuilder().setUri(target).setHeaders(Map.of("Customer", "acme-42"))
                            .setFrom(null).setTimeoutSeconds(30).build())
                    .build());
        }
    }

    /** A caller of {@code number} that expects {@code code} as the final response. */
    private Sipp call(String number, int code) {
        return Sipp.start("uac-rejected.xml", Map.of("EXPECTED_CODE", Integer.toString(code)), "-i", "127.0.0.1",
                "-p", Integer.toString(FreePorts.sip()), "-m", "1", "-s", number,
                "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + port);
    }

    private Optional<CallEvent> offered(String number) {
        return events.stream().filter(e -> e.getType() == CallEventType.OFFERED && number.equals(e.getTo()))
                .findFirst();
    }

    private Optional<CallEvent> finalEvent(String number) {
        return events.stream().filter(e -> number.equals(e.getTo()) && e.getType() != CallEventType.OFFERED
                && e.getType() != CallEventType.RINGING && e.getType() != CallEventType.ANSWERED).findFirst();
    }

    private CallEvent awaitFinal(String number) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> finalEvent(number), Optional::isPresent)
                .orElseThrow();
    }

    /** The call failed as a connect the destination policy refused. */
    private void assertRefused(String number) {
        CallEvent failed = awaitFinal(number);
        assertThat(failed.getType()).isEqualTo(CallEventType.FAILED);
        assertThat(failed.getSipCode()).isEqualTo(403);
        assertThat(failed.getReason()).isEqualTo("destination_not_allowed");
    }

    /** Checked once the call has ended: by then anything sent there would have arrived. */
    private static void assertNothingArrives(DatagramSocket target) throws Exception {
        target.setSoTimeout(500);
        assertThatThrownBy(() -> target.receive(new DatagramPacket(new byte[2048], 2048)))
                .isInstanceOf(SocketTimeoutException.class);
    }

    private double refused(String reason) {
        return registry.find("psip.calls.outbound.refused").tag("reason", reason).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private double dropped(String reason) {
        return registry.find("psip.sip.dropped").tag("reason", reason).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    /**
     * A TCP port on 127.0.0.1 that never accepts: its accept queue (backlog 1) is filled first, after which the
     * kernel drops new SYNs and a connect hangs until its own timeout.
     */
    private int blackHole() throws Exception {
        ServerSocket hole = closeLater(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        for (int i = 0; i < 16; i++) {
            Socket filler = new Socket();
            closeAfter.add(filler);
            try {
                filler.connect(hole.getLocalSocketAddress(), 200);
            } catch (SocketTimeoutException full) {
                return hole.getLocalPort();
            }
        }
        throw new IllegalStateException("the accept queue never filled");
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        closeAfter.add(closeable);
        return closeable;
    }
}
