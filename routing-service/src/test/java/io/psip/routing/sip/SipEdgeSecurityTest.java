package io.psip.routing.sip;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.ConnectSip;
import io.psip.routing.RawSip;
import io.psip.routing.Sipp;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.table.Domain;
import io.psip.schemas.net.CallerPattern;
import io.psip.schemas.net.Cidr;
import io.psip.testsupport.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A domain's security settings on a real edge: {@code tls: always} trusts the socket a call came in on, never its
 * Via, {@code srtp} is enforced on the SDP offer, and {@code allowed_callers} on the From user. Callers are sipp
 * (UDP) and a JSSE socket (TLS); the far end of a connected call is sipp.
 */
class SipEdgeSecurityTest {

    private static final String SDES_SRTP = "m=audio [media_port] RTP/SAVP 0\n"
            + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVzcyAoc2VuZGluZ19jb2RlKSB7";
    private static final String PLAIN_RTP = "m=audio [media_port] RTP/AVP 0\na=rtpmap:0 PCMU/8000";

    @TempDir
    Path dir;

    private final int port = FreePorts.sip();
    private final int tlsPort = FreePorts.sip();
    private final int farEndPort = FreePorts.sip();
    private final List<CallEvent> events = new CopyOnWriteArrayList<>();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private SipEdge edge;

    @BeforeEach
    void start() throws Exception {
        Path keyStore = EdgeFixtures.selfSignedKeyStore(dir.resolve("sip.p12"), "CN=localhost", "ip:127.0.0.1");
        edge = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2), 1 << 20, 1,
                100, Duration.ofSeconds(10), EdgeFixtures.GENEROUS_LIMITS,
                new SipSettings.Tls(tlsPort, keyStore.toString(), "changeit", "PKCS12"),
                EdgeFixtures.loopbackFarEnds(port, tlsPort), EdgeFixtures.SERVICE_DEFAULT_TRANSPORT),
                EdgeFixtures.admission(EdgeFixtures.tables(EdgeFixtures.loopbackDomain("tlsonly", "always", null),
                        EdgeFixtures.loopbackDomain("srtpalways", null, "always"),
                        EdgeFixtures.loopbackDomain("srtpnever", null, "never"),
                        new Domain("callers", 1, "acct", "app-1", List.of(Cidr.parse("127.0.0.0/8")), false, Map.of(),
                                null, null, null, List.of(CallerPattern.parse("+4420*")), true))),
                this::published, new CallMetrics(meters), Clock.systemUTC(),
                new Call.CallOrigin("us", "security-test"));
        edge.start();
    }

    @AfterEach
    void stop() {
        edge.stop();
    }

    @Test
    void udpInviteWhoseViaSaysTlsIsRefusedByATlsAlwaysDomain() {
        String invite = RawSip.invite("tlsonly.sip-us.example.com", "Max-Forwards: 70\r\n", "SIP/2.0")
                .replace("SIP/2.0/UDP", "SIP/2.0/TLS").replace("<sip:raw@127.0.0.1:%PORT%>",
                        "<sip:raw@127.0.0.1:%PORT%;transport=tls>");
        assertThat(RawSip.udp(port, invite)).hasValueSatisfying(response ->
                assertThat(response).startsWith("SIP/2.0 403 TLS Required\r\n"));
        assertThat(events).isEmpty();
    }

    @Test
    void theSameDomainOverRealTlsConnects() throws Exception {
        Sipp farEnd = Sipp.start("uas.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(farEndPort),
                "-m", "1");
        try (SSLSocket socket = EdgeFixtures.trustingTlsSocket(tlsPort)) {
            String callId = "tls-" + UUID.randomUUID();
            String fromTag = UUID.randomUUID().toString().substring(0, 8);
            String sdp = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                    + "m=audio 6000 RTP/AVP 0\r\n";
            send(socket, request("INVITE", "sip:123@tlsonly.sip-us.example.com", callId, fromTag, null, 1,
                    socket.getLocalPort(), sdp));
            String answer = finalResponse(socket.getInputStream());
            assertThat(answer).as(farEnd::logs).startsWith("SIP/2.0 200");
            String toTag = match(answer, "(?m)^To:.*;tag=([^;\\r\\n]+)");
            String contact = match(answer, "(?m)^Contact: *<([^>]+)>");
            send(socket, request("ACK", contact, callId, fromTag, toTag, 1, socket.getLocalPort(), null));
            send(socket, request("BYE", contact, callId, fromTag, toTag, 2, socket.getLocalPort(), null));
            assertThat(finalResponse(socket.getInputStream())).startsWith("SIP/2.0 200");
        }
        assertThat(farEnd.exitCode()).as(farEnd::logs).isZero();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events).extracting(CallEvent::getType)
                .containsExactly(CallEventType.OFFERED, CallEventType.RINGING, CallEventType.ANSWERED,
                        CallEventType.COMPLETED));
    }

    @Test
    void aConnectionToTheTlsPortThatNeverHandshakesIsClosed() throws Exception {
        // The idle timeout (120 s) is beyond this read's 30 s: what closes it first is the handshake timeout (5 s).
        try (Socket socket = new Socket("127.0.0.1", tlsPort)) {
            socket.setSoTimeout(30_000);
            // Read to the end (a timeout would throw): at most a TLS alert record (type 21) comes first.
            byte[] untilClosed = socket.getInputStream().readAllBytes();
            assertThat(untilClosed.length == 0 || untilClosed[0] == 21).as("only an alert, then closed").isTrue();
        }
    }

    @Test
    void srtpAlwaysTakesOnlyAnSdesSrtpOffer() {
        assertCaller("srtpalways", PLAIN_RTP, 488);
        assertThat(events).isEmpty();
        assertCaller("srtpalways", SDES_SRTP, 486); // admitted: its command refuses it with 486
        assertThat(offered()).isEqualTo(1);
    }

    @Test
    void srtpNeverRefusesAnSdesSrtpOffer() {
        assertCaller("srtpnever", SDES_SRTP, 488);
        assertThat(events).isEmpty();
        assertCaller("srtpnever", PLAIN_RTP, 486);
        assertThat(offered()).isEqualTo(1);
    }

    @Test
    void allowedCallersTakeOnlyTheListedCallerNumbers() {
        assertCaller("callers", PLAIN_RTP, "+442079460000", 486); // admitted: its command refuses it with 486
        assertThat(offered()).isEqualTo(1);
        assertCaller("callers", PLAIN_RTP, "15551234567", 403);
        assertThat(RawSip.udp(port, RawSip.invite("callers.sip-us.example.com", "Max-Forwards: 70\r\n", "SIP/2.0")))
                .hasValueSatisfying(response -> assertThat(response).startsWith("SIP/2.0 403 Caller Not Allowed\r\n"));
        assertThat(offered()).isEqualTo(1);
        // counted right after the response is sent, so it can trail the response's arrival here
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(meters.counter("psip.calls.rejected", "code", "403").count()).isEqualTo(2));
    }

    /** Stands in for the webhook service: tlsonly calls are connected to the far end, others refused with 486. */
    private void published(CallEvent event) {
        events.add(event);
        if (event.getType() != CallEventType.OFFERED) {
            return;
        }
        CallCommand.Builder command = CallCommand.newBuilder().setCommandId(UUID.randomUUID().toString())
                .setOccurredAt(Instant.now()).setCallUuid(event.getCallUuid()).setRegion("us")
                .setInstanceId("security-test");
        edge.execute("tlsonly".equals(event.getDomain())
                ? command.setAction(CallAction.CONNECT).setConnect(ConnectSip.newBuilder()
                        .setUri("sip:bob@127.0.0.1:" + farEndPort).setHeaders(Map.of("Customer", "acme-42"))
                        .setFrom(null).setTimeoutSeconds(30).build()).build()
                : command.setAction(CallAction.REJECT).setSipCode(486).build());
    }

    private long offered() {
        return events.stream().filter(e -> e.getType() == CallEventType.OFFERED).count();
    }

    private void assertCaller(String domain, String media, int expected) {
        assertCaller(domain, media, "alice", expected);
    }

    /** {@code fromUser}: the From URI's user part of the INVITE. */
    private void assertCaller(String domain, String media, String fromUser, int expected) {
        Sipp caller = Sipp.start("uac-offer.xml", Map.of("MEDIA", media, "EXPECTED_CODE", Integer.toString(expected),
                        "<sip:alice@", "<sip:" + fromUser + "@"),
                "-i", "127.0.0.1", "-p", Integer.toString(FreePorts.sip()), "-m", "1", "-s", "123",
                "-key", "domain", domain + ".sip-us.example.com", "127.0.0.1:" + port);
        assertThat(caller.exitCode()).as(caller::logs).isZero();
    }

    private static String request(String method, String uri, String callId, String fromTag, String toTag, int cseq,
                                  int localPort, String sdp) {
        String body = sdp == null ? "" : sdp;
        return method + " " + uri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 127.0.0.1:" + localPort + ";branch=z9hG4bK" + UUID.randomUUID() + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:alice@127.0.0.1>;tag=" + fromTag + "\r\n"
                + "To: <sip:123@tlsonly.sip-us.example.com>" + (toTag == null ? "" : ";tag=" + toTag) + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + "Contact: <sip:alice@127.0.0.1:" + localPort + ";transport=tls>\r\n"
                + (sdp == null ? "" : "Content-Type: application/sdp\r\n")
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static void send(SSLSocket socket, String message) throws IOException {
        socket.getOutputStream().write(message.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
    }

    /** The next final response, its body read by Content-Length; provisional ones are skipped. */
    private static String finalResponse(InputStream in) throws IOException {
        while (true) {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0) {
                head.write(c);
                if (head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                    break;
                }
            }
            String text = head.toString(StandardCharsets.US_ASCII);
            String length = match(text, "(?mi)^(?:Content-Length|l): *(\\d+)");
            in.readNBytes(length == null ? 0 : Integer.parseInt(length));
            if (c < 0 || !text.startsWith("SIP/2.0 1")) {
                return text;
            }
        }
    }

    private static String match(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : null;
    }
}
