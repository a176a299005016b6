package io.psip.routing.sip;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.routing.Sipp;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.testsupport.FreePorts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

/**
 * RFC 4475's parser torture messages (§3.1) against a real edge, over UDP and over TCP (a fresh connection each):
 * a valid request is answered with something other than 400, a valid response (no transaction waits for it) is
 * dropped as a stray; an invalid message gets 400 or no answer at all and is counted, except the unknown SIP
 * version, which gets 505 as the RFC asks. After all of them the edge still completes calls on both transports.
 */
class SipEdgeTortureTest {

    private static final Pattern STATUS = Pattern.compile("^SIP/2\\.0 (\\d{3}) ");
    private static final Duration QUIET = Duration.ofMillis(1000);
    private static final Duration FIRST_ANSWER = Duration.ofSeconds(5);

    private static final int PORT = FreePorts.sip();
    private static final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private static SipEdge edge;

    @BeforeAll
    static void start() throws Exception {
        edge = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", PORT, 8192, Duration.ofSeconds(2), 1 << 20, 1,
                1000, Duration.ofSeconds(10), EdgeFixtures.GENEROUS_LIMITS, null,
                EdgeFixtures.loopbackFarEnds(PORT), EdgeFixtures.SERVICE_DEFAULT_TRANSPORT),
                EdgeFixtures.acmeOpenToLoopback(), SipEdgeTortureTest::published, new CallMetrics(registry),
                Clock.systemUTC(), new Call.CallOrigin("us", "torture-test"));
        edge.start();
    }

    @AfterAll
    static void stop() {
        edge.stop();
    }

    @Test
    void validMessagesAreHandledAsValidOverUdpAndTcp() throws Exception {
        assertSoftly(soft -> {
            for (String name : Rfc4475.VALID) {
                for (String transport : List.of("UDP", "TCP")) {
                    double strays = count("psip.sip.malformed", "stray_response");
                    // A valid request is always answered: give a loaded machine time for it.
                    List<Integer> answers = send(transport, Rfc4475.message(name),
                            Rfc4475.isResponse(name) ? QUIET : FIRST_ANSWER);
                    if (Rfc4475.isResponse(name)) {
                        soft.assertThat(answers).as(name + " over " + transport).isEmpty();
                        soft.assertThat(count("psip.sip.malformed", "stray_response")).as(name + " dropped as a stray")
                                .isEqualTo(strays + 1);
                    } else {
                        soft.assertThat(answers).as(name + " over " + transport).isNotEmpty().doesNotContain(400);
                    }
                }
            }
        });
    }

    @Test
    void invalidMessagesGet400OrAreDroppedAndCounted() throws Exception {
        assertSoftly(soft -> {
            for (String name : Rfc4475.INVALID) {
                for (String transport : List.of("UDP", "TCP")) {
                    double counted = total("psip.sip.malformed");
                    List<Integer> answers = send(transport, Rfc4475.message(name));
                    String what = name + " over " + transport;
                    if (name.endsWith("badvers")) {
                        soft.assertThat(answers).as(what).containsExactly(505);
                    } else if (name.endsWith("clerr") && transport.equals("TCP")) {
                        // On a stream a Content-Length beyond the bytes sent only means "more to come": the edge
                        // waits for it until the read timeout closes the connection.
                        soft.assertThat(answers).as(what).isEmpty();
                    } else if (answers.isEmpty()) {
                        soft.assertThat(total("psip.sip.malformed")).as(what + " dropped and counted")
                                .isGreaterThan(counted);
                    } else {
                        soft.assertThat(answers).as(what).containsOnly(400);
                    }
                }
            }
        });
        // And the edge keeps serving, on both transports.
        for (String transport : List.of("u1", "t1")) {
            Sipp caller = Sipp.start("uac-rejected.xml", Map.of("EXPECTED_CODE", "486"), "-t", transport,
                    "-i", "127.0.0.1", "-p", Integer.toString(FreePorts.sip()), "-m", "3", "-s", "123",
                    "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + PORT);
            assertThat(caller.exitCode()).as(caller::logs).isZero();
        }
    }

    /** Every offered call is refused with 486 at once. */
    private static void published(CallEvent event) {
        if (event.getType() == CallEventType.OFFERED) {
            edge.execute(CallCommand.newBuilder().setCommandId(UUID.randomUUID().toString())
                    .setOccurredAt(Instant.now()).setCallUuid(event.getCallUuid()).setRegion("us")
                    .setInstanceId("torture-test").setAction(CallAction.REJECT).setSipCode(486).build());
        }
    }

    /** Sends the message as it is and returns the status codes of the final responses that came back. */
    private static List<Integer> send(String transport, byte[] message) {
        return send(transport, message, QUIET);
    }

    /** {@code firstAnswer}: how long to wait for the first answer (over TCP a quiet second then ends the wait). */
    private static List<Integer> send(String transport, byte[] message, Duration firstAnswer) {
        try {
            return transport.equals("UDP") ? udp(message, firstAnswer) : tcp(message, firstAnswer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Integer> udp(byte[] message, Duration firstAnswer) throws IOException {
        List<Integer> codes = new ArrayList<>();
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout((int) firstAnswer.toMillis());
            socket.send(new DatagramPacket(message, message.length, InetAddress.getLoopbackAddress(), PORT));
            byte[] buffer = new byte[65535];
            // One datagram is one message (RFC 4475 3.1.1.8: what follows it is discarded): one final answer.
            while (codes.isEmpty()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                finalCode(new String(buffer, 0, packet.getLength(), StandardCharsets.ISO_8859_1), codes);
            }
            return codes;
        } catch (SocketTimeoutException quiet) {
            return codes;
        }
    }

    private static List<Integer> tcp(byte[] message, Duration firstAnswer) throws IOException {
        List<Integer> codes = new ArrayList<>();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), PORT), 3000);
            // A first answer may be slow on a loaded machine; once one came, a quiet second means no more follow.
            socket.setSoTimeout((int) firstAnswer.toMillis());
            socket.getOutputStream().write(message);
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    received.write(buffer, 0, n);
                    socket.setSoTimeout((int) QUIET.toMillis());
                }
            } catch (SocketTimeoutException | java.net.SocketException quietOrReset) {
                // nothing more
            }
            for (String response : received.toString(StandardCharsets.ISO_8859_1).split("(?=SIP/2\\.0 \\d{3} )")) {
                finalCode(response, codes);
            }
        }
        return codes;
    }

    private static void finalCode(String response, List<Integer> codes) {
        Matcher status = STATUS.matcher(response);
        if (status.find() && !status.group(1).startsWith("1")) {
            codes.add(Integer.parseInt(status.group(1)));
        }
    }

    private static double count(String name, String reason) {
        return registry.find(name).tag("reason", reason).counters().stream().mapToDouble(Counter::count).sum();
    }

    private static double total(String name) {
        return registry.find(name).counters().stream().mapToDouble(Counter::count).sum();
    }
}
