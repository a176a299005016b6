package io.psip.routing.sip;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Checks the SIP listeners from outside: an OPTIONS over UDP and over TCP to our own port must be answered 200.
 * A receive thread that died (say, out of memory under a burst) stops answering without anything else noticing,
 * so readiness relies on this rather than on the stack's own view of itself.
 */
final class ListenerProbe {

    private static final Logger log = LoggerFactory.getLogger(ListenerProbe.class);
    private static final int TIMEOUT_MS = 2000;

    private final InetAddress address;
    private final int port;

    ListenerProbe(String bindAddress, int port) throws IOException {
        InetAddress bound = InetAddress.getByName(bindAddress);
        // Bound to every interface: loopback of the same family reaches it.
        this.address = !bound.isAnyLocalAddress() ? bound
                : bound instanceof java.net.Inet6Address ? InetAddress.getByName("::1") : InetAddress.getByName("127.0.0.1");
        this.port = port;
    }

    boolean udpAnswers() {
        try (DatagramSocket socket = new DatagramSocket(0, address)) {
            socket.setSoTimeout(TIMEOUT_MS);
            byte[] request = options("UDP", socket.getLocalPort()).getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(request, request.length, address, port));
            byte[] buffer = new byte[4096];
            DatagramPacket response = new DatagramPacket(buffer, buffer.length);
            socket.receive(response);
            return isOk(new String(buffer, 0, response.getLength(), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            log.warn("SIP UDP listener on {}:{} did not answer: {}", address.getHostAddress(), port, e.toString());
            return false;
        }
    }

    boolean tcpAnswers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), TIMEOUT_MS);
            socket.setSoTimeout(TIMEOUT_MS);
            socket.getOutputStream().write(options("TCP", socket.getLocalPort()).getBytes(StandardCharsets.US_ASCII));
            return isOk(readHead(socket.getInputStream()));
        } catch (IOException e) {
            log.warn("SIP TCP listener on {}:{} did not answer: {}", address.getHostAddress(), port, e.toString());
            return false;
        }
    }

    private String options(String transport, int localPort) {
        String host = address.getHostAddress().contains(":") ? "[" + address.getHostAddress() + "]"
                : address.getHostAddress();
        String id = UUID.randomUUID().toString();
        return "OPTIONS sip:probe@" + host + ":" + port + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " " + host + ":" + localPort + ";branch=z9hG4bK" + id + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:probe@" + host + ">;tag=" + id.substring(0, 8) + "\r\n"
                + "To: <sip:probe@" + host + ":" + port + ">\r\n"
                + "Call-ID: probe-" + id + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && head.size() < 8192) {
            head.write(c);
            if (head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                break;
            }
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    private static boolean isOk(String response) {
        return response.startsWith("SIP/2.0 200");
    }
}
