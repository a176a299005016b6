package io.psip.routing.sip;

import io.psip.routing.TcpFarEnd;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A phone over TCP that keeps the connection it opened to the edge, as a registered phone does. Its Via names
 * {@code viaPort} and its responses' Contact is {@code contact}: a test listens there to see that nobody connects.
 */
record TcpPhone(Socket socket, InputStream in, OutputStream out, String address, int viaPort, String contact)
        implements AutoCloseable {

    static TcpPhone connect(InetAddress local, int edgePort, int viaPort, String contact) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(local, 0));
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), edgePort), 3000);
        socket.setSoTimeout(45_000);
        return new TcpPhone(socket, new BufferedInputStream(socket.getInputStream()), socket.getOutputStream(),
                local.getHostAddress(), viaPort, contact);
    }

    int localPort() {
        return socket.getLocalPort();
    }

    /** Sends an OPTIONS (the RI then holds the connection for requests to it) and reads its 200. */
    void options() throws IOException {
        String id = UUID.randomUUID().toString();
        write("OPTIONS sip:acme.sip-us.example.com SIP/2.0\r\n"
                + "Via: " + via(id) + "\r\n"
                + "From: <sip:alice@acme.sip-us.example.com>;tag=" + id.substring(0, 8) + "\r\n"
                + "To: <sip:alice@acme.sip-us.example.com>\r\n"
                + "Call-ID: options-" + id + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Max-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n");
        assertThat(read()).startsWith("SIP/2.0 200");
    }

    /** A Via header value of this phone with a fresh branch. */
    String via(String branch) {
        return "SIP/2.0/TCP " + address + ":" + viaPort + ";branch=z9hG4bK" + branch;
    }

    String read() throws IOException {
        String message = TcpFarEnd.readMessage(in);
        assertThat(message).as("a message on the registered connection").isNotNull();
        return message;
    }

    /** 180, then 200 with SDP. */
    void answer(String invite) throws IOException {
        reply(invite, "180 Ringing", "");
        reply(invite, "200 OK", "v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n");
    }

    void reply(String request, String status, String sdp) throws IOException {
        StringBuilder response = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
        for (String name : List.of("Via", "From", "To", "Call-ID", "CSeq")) {
            String value = TcpFarEnd.header(request, name);
            if (name.equals("To") && !value.contains(";tag=")) {
                value += ";tag=phone42";
            }
            response.append(name).append(": ").append(value).append("\r\n");
        }
        response.append("Contact: <").append(contact).append(">\r\n");
        if (!sdp.isEmpty()) {
            response.append("Content-Type: application/sdp\r\n");
        }
        write(response.append("Content-Length: ").append(sdp.length()).append("\r\n\r\n").append(sdp).toString());
    }

    void write(String message) throws IOException {
        out.write(message.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** Drops the connection with a reset, leaving its port free at once (no TIME_WAIT). */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
