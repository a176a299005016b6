package io.psip.routing.sip;

import io.psip.testsupport.FreePorts;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.table.RoutingTables;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** SIP over TLS with a key store from the settings: a caller's requests are answered on its TLS connection. */
class SipEdgeTlsTest {

    private SipEdge edge;

    @AfterEach
    void stop() {
        if (edge != null) {
            edge.stop();
        }
    }

    @Test
    void tlsListenerAnswersOptionsAndRefusesAForeignHost(@TempDir Path dir) throws Exception {
        Path keyStore = EdgeFixtures.selfSignedKeyStore(dir.resolve("sip.p12"), "CN=localhost", "ip:127.0.0.1");

        int port = FreePorts.sip();
        int tlsPort = FreePorts.sip();
        edge = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2), 1 << 20, 1, 10,
                Duration.ofSeconds(5), EdgeFixtures.GENEROUS_LIMITS,
                new SipSettings.Tls(tlsPort, keyStore.toString(), "changeit", "PKCS12"),
                EdgeFixtures.loopbackFarEnds(port, tlsPort), EdgeFixtures.SERVICE_DEFAULT_TRANSPORT),
                EdgeFixtures.admission(new RoutingTables()),
                event -> { }, new CallMetrics(new SimpleMeterRegistry()), Clock.systemUTC(),
                new Call.CallOrigin("us", "tls-test"));
        edge.start();

        try (SSLSocket socket = EdgeFixtures.trustingTlsSocket(tlsPort)) {
            assertThat(socket.getSession().getProtocol()).isIn("TLSv1.2", "TLSv1.3");

            socket.getOutputStream().write(request("OPTIONS", "sip:probe@127.0.0.1:" + tlsPort,
                    socket.getLocalPort()).getBytes(StandardCharsets.US_ASCII));
            assertThat(readHead(socket.getInputStream())).startsWith("SIP/2.0 200");

            socket.getOutputStream().write(request("INVITE", "sip:123@acme.sip.example.com", socket.getLocalPort())
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(readHead(socket.getInputStream())).startsWith("SIP/2.0 404");
        }
    }

    private static String request(String method, String uri, int localPort) {
        String id = UUID.randomUUID().toString();
        return method + " " + uri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 127.0.0.1:" + localPort + ";branch=z9hG4bK" + id + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:caller@127.0.0.1>;tag=" + id.substring(0, 8) + "\r\n"
                + "To: <" + uri + ">\r\n"
                + "Call-ID: tls-" + id + "\r\n"
                + "CSeq: 1 " + method + "\r\n"
                + "Contact: <sip:caller@127.0.0.1:" + localPort + ";transport=tls>\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            head.write(c);
            String text = head.toString(StandardCharsets.US_ASCII);
            // Skip a provisional response; return the first final one.
            if (text.endsWith("\r\n\r\n")) {
                if (!text.startsWith("SIP/2.0 1")) {
                    return text;
                }
                head.reset();
            }
        }
        return head.toString(StandardCharsets.US_ASCII);
    }
}
