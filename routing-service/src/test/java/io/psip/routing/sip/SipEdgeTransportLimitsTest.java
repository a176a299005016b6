package io.psip.routing.sip;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.routing.RawSip;
import io.psip.routing.Sipp;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.call.SourceRateLimiter;
import io.psip.testsupport.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The edge's transport limits on a real edge, loopback only and bounded: stateless OPTIONS, a clean 400, the
 * per-source request rate and connection limits, idle and TLS-less handshake timeouts. The abuser is always
 * 127.0.0.2; the caller who must not notice is sipp on 127.0.0.1.
 */
class SipEdgeTransportLimitsTest {

    private static final InetAddress ABUSER = address("127.0.0.2");

    private final int port = FreePorts.sip();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<CallEvent> events = new ArrayList<>();
    private SipEdge edge;

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.stop();
        }
    }

    @Test
    void optionsIsAnsweredWithoutATransaction() throws Exception {
        start(EdgeFixtures.SERVICE_DEFAULT_TRANSPORT);
        for (int i = 0; i < 20; i++) {
            assertThat(RawSip.udp(port, options("UDP"))).hasValueSatisfying(response -> {
                assertThat(response).startsWith("SIP/2.0 200 OK\r\n");
                assertThat(response).containsPattern("(?m)^To: .*;tag=");
            });
        }
        // Answered over TCP too (readiness' probe relies on both).
        assertThat(RawSip.tcp(port, options("TCP").replace("%PORT%", "5999").getBytes())).startsWith("SIP/2.0 200");
        assertThat(edge.serverTransactions()).isZero();
    }

    @Test
    void malformedRequestGetsAPlain400OrIsDroppedAndCounted() throws Exception {
        start(EdgeFixtures.SERVICE_DEFAULT_TRANSPORT);
        String badLength = RawSip.invite("acme.sip-us.example.com", "Max-Forwards: 70\r\n", "SIP/2.0")
                .replace("Content-Length: 0", "Content-Length: [C@50e50a94\n x");
        assertThat(RawSip.udp(port, badLength)).hasValueSatisfying(response -> {
            assertThat(response).startsWith("SIP/2.0 400 Bad Request\r\n");
            assertThat(response).doesNotContain("[C@", "50e50a94", "Content-Type");
            // Every line ends with CRLF and the message ends where Content-Length says (0).
            assertThat(response.replace("\r\n", "")).doesNotContain("\n", "\r");
            assertThat(response).endsWith("Content-Length: 0\r\n\r\n");
        });
        double unparseable = malformed("unparseable");
        String badFrom = RawSip.invite("acme.sip-us.example.com", "Max-Forwards: 70\r\n", "SIP/2.0")
                .replace("From: <sip:raw@127.0.0.1>", "From: <sip:raw@[C@50e50a94");
        assertThat(RawSip.udp(port, badFrom)).isEmpty();
        assertThat(malformed("unparseable")).isEqualTo(unparseable + 1);
        assertThat(edge.serverTransactions()).isZero();
    }

    @Test
    void aRequestFloodFromOneSourceIsDroppedBeforeParsingAndOthersCallsGoThrough() throws Exception {
        start(limits(Duration.ofSeconds(30), Duration.ofSeconds(5), 32, 100, 100));
        AtomicBoolean calling = new AtomicBoolean(true);
        AtomicLong sent = new AtomicLong();
        Thread flooder = new Thread(() -> floodUdp(calling, sent), "udp-flood");
        flooder.start();
        try {
            Sipp caller = Sipp.start("uac-rejected.xml", Map.of("EXPECTED_CODE", "486"), "-i", "127.0.0.1", "-p",
                    Integer.toString(FreePorts.sip()), "-m", "20", "-r", "10", "-s", "123",
                    "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + port);
            assertThat(caller.exitCode()).as(caller::logs).isZero();
        } finally {
            calling.set(false);
            flooder.join(30_000);
        }
        // At 100/s with a burst of 100, the few seconds of flood let a few hundred through at most.
        assertThat(sent.get()).isGreaterThan(1000);
        assertThat(dropped("rate_limit")).isGreaterThan(sent.get() / 2.0);

        // Over TCP the same limit holds (there it is checked once the request is framed).
        double droppedBefore = dropped("rate_limit");
        try (Socket socket = connect(ABUSER)) {
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < 300; i++) {
                burst.append(options("TCP").replace("%PORT%", Integer.toString(socket.getLocalPort())));
            }
            socket.getOutputStream().write(burst.toString().getBytes(StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(10)).until(() -> dropped("rate_limit") >= droppedBefore + 100);
        }
    }

    @Test
    void aConnectionFloodFromOneSourceStopsAtItsLimitAndOthersCallsGoThrough() throws Exception {
        start(limits(Duration.ofSeconds(30), Duration.ofSeconds(5), 10, 0, 1));
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; i < 60; i++) {
                try {
                    flood.add(connect(ABUSER));
                } catch (IOException resetAtOnce) {
                    // over the limit: the edge reset it as soon as it was accepted
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> dropped("connection_limit") == 50);
            assertThat(edge.connectionsFrom(ABUSER)).isEqualTo(10);
            Sipp caller = Sipp.start("uac-rejected.xml", Map.of("EXPECTED_CODE", "486"), "-t", "t1",
                    "-i", "127.0.0.1", "-p", Integer.toString(FreePorts.sip()), "-m", "5", "-s", "123",
                    "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + port);
            assertThat(caller.exitCode()).as(caller::logs).isZero();
        } finally {
            for (Socket socket : flood) {
                socket.close();
            }
        }
        // Closed by the abuser: its slots are given back.
        await().atMost(Duration.ofSeconds(10)).until(() -> edge.connectionsFrom(ABUSER) == 0);
    }

    @Test
    void anIdleConnectionIsClosedAndItsSlotGivenBack() throws Exception {
        start(limits(Duration.ofSeconds(1), Duration.ofSeconds(5), 10, 0, 1));
        try (Socket socket = connect(ABUSER)) {
            socket.setSoTimeout(10_000);
            await().atMost(Duration.ofSeconds(5)).until(() -> edge.connectionsFrom(ABUSER) == 1);
            assertThat(readUntilClosed(socket.getInputStream())).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> edge.connectionsFrom(ABUSER) == 0);
    }

    @Test
    void aMessageThatNeverCompletesHasItsConnectionClosed() throws Exception {
        // Idle timeout 60 s, beyond this read's 20 s: what closes it is the read timeout (1 s) of a begun message.
        start(new SipSettings.Transport(Duration.ofSeconds(60), Duration.ofSeconds(1), Duration.ofSeconds(5), 2048,
                10, new SourceRateLimiter.Limits(0, 1, 1)));
        try (Socket socket = connect(ABUSER)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write("OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.2"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(readUntilClosed(socket.getInputStream())).isTrue();
        }
    }

    private void start(SipSettings.Transport transport) throws Exception {
        edge = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2), 1 << 20, 1,
                1000, Duration.ofSeconds(10), EdgeFixtures.GENEROUS_LIMITS, null,
                EdgeFixtures.loopbackFarEnds(port), transport),
                EdgeFixtures.acmeOpenToLoopback(), this::published, new CallMetrics(registry), Clock.systemUTC(),
                new Call.CallOrigin("us", "limits-test"));
        edge.start();
        await().atMost(Duration.ofSeconds(15)).until(edge::listening);
    }

    private static SipSettings.Transport limits(Duration idle, Duration handshake, int perSource, int rate,
                                                int burst) {
        return new SipSettings.Transport(idle, Duration.ofSeconds(5), handshake, 2048, perSource,
                new SourceRateLimiter.Limits(rate, burst, 1000));
    }

    /** Every offered call is refused at once with 486, as if its command came back instantly. */
    private synchronized void published(CallEvent event) {
        events.add(event);
        if (event.getType() == CallEventType.OFFERED) {
            edge.execute(CallCommand.newBuilder().setCommandId(UUID.randomUUID().toString())
                    .setOccurredAt(Instant.now()).setCallUuid(event.getCallUuid()).setRegion("us")
                    .setInstanceId("limits-test").setAction(CallAction.REJECT).setSipCode(486).build());
        }
    }

    /** Sends OPTIONS from 127.0.0.2 as fast as it can while the call runs, at most 15 s and 500 000 datagrams. */
    private void floodUdp(AtomicBoolean running, AtomicLong sent) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        try (DatagramSocket socket = new DatagramSocket(0, ABUSER)) {
            byte[] bytes = options("UDP").replace("%PORT%", Integer.toString(socket.getLocalPort()))
                    .getBytes(StandardCharsets.US_ASCII);
            DatagramPacket packet = new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port);
            while (running.get() && sent.get() < 500_000 && System.nanoTime() < deadline) {
                socket.send(packet);
                sent.incrementAndGet();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Socket connect(InetAddress from) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 3000);
        return socket;
    }

    private static boolean readUntilClosed(InputStream in) throws IOException {
        try {
            while (in.read() >= 0) {
                // drain
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the edge
        }
    }

    private static String options(String transport) {
        String id = UUID.randomUUID().toString();
        return "OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " 127.0.0.2:%PORT%;branch=z9hG4bK" + id + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:flood@127.0.0.2>;tag=" + id.substring(0, 8) + "\r\n"
                + "To: <sip:probe@127.0.0.1>\r\n"
                + "Call-ID: limits-" + id + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private double dropped(String reason) {
        return registry.find("psip.sip.dropped").tag("reason", reason).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private double malformed(String reason) {
        return registry.find("psip.sip.malformed").tag("reason", reason).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
