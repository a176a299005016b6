package io.psip.routing;

import io.psip.routing.call.DigestAuthenticator;

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
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Hand-written SIP over plain sockets, for messages no SIP tool would send. */
public final class RawSip {

    private static final Pattern NONCE = Pattern.compile("nonce=\"([^\"]+)\"");

    private RawSip() {
    }

    /** A minimal INVITE; {@code %PORT%} in the Via is replaced by the sender's port. */
    public static String invite(String host, String extraHeaders, String version) {
        String id = UUID.randomUUID().toString();
        return "INVITE sip:999@" + host + " " + version + "\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:%PORT%;branch=z9hG4bK" + id + "\r\n"
                + "From: <sip:raw@127.0.0.1>;tag=" + id.substring(0, 8) + "\r\n"
                + "To: <sip:999@" + host + ">\r\n"
                + "Call-ID: raw-" + id + "\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:raw@127.0.0.1:%PORT%>\r\n"
                + extraHeaders
                + "Content-Length: 0\r\n\r\n";
    }

    /**
     * An Authorization header value for an INVITE to {@code uri}, answering a challenge's {@code nonce} with
     * qop=auth and MD5, as a SIP client computes it.
     */
    public static String digestAuthorization(String user, String realm, String password, String nonce, String nc,
                                             String uri) {
        return digestAuthorization("INVITE", user, realm, password, nonce, nc, uri);
    }

    /** The same for a request of {@code method} (the digest signs it). */
    public static String digestAuthorization(String method, String user, String realm, String password, String nonce,
                                             String nc, String uri) {
        String ha1 = DigestAuthenticator.hex("MD5", user + ":" + realm + ":" + password);
        String ha2 = DigestAuthenticator.hex("MD5", method + ":" + uri);
        String cnonce = "0a4f113b";
        String response = DigestAuthenticator.hex("MD5", ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + ha2);
        return "Digest username=\"" + user + "\", realm=\"" + realm + "\", nonce=\"" + nonce + "\", uri=\"" + uri
                + "\", response=\"" + response + "\", algorithm=MD5, cnonce=\"" + cnonce + "\", qop=auth, nc=" + nc;
    }

    /** The nonce of a WWW-Authenticate value or of a 401 response carrying one. */
    public static String nonceOf(String challenge) {
        Matcher nonce = NONCE.matcher(challenge);
        if (!nonce.find()) {
            throw new IllegalArgumentException("no nonce in " + challenge);
        }
        return nonce.group(1);
    }

    /** Sends one datagram; returns the first final (non-1xx) response within 5 s, if any. */
    public static Optional<String> udp(int port, String message) {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            socket.setSoTimeout(5000);
            byte[] bytes = message.replace("%PORT%", Integer.toString(socket.getLocalPort()))
                    .getBytes(StandardCharsets.ISO_8859_1);
            socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
            byte[] buffer = new byte[65535];
            while (true) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                String response = new String(buffer, 0, packet.getLength(), StandardCharsets.ISO_8859_1);
                if (!response.startsWith("SIP/2.0 1")) {
                    return Optional.of(response);
                }
            }
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one datagram and does not wait for anything back. */
    public static void udpSend(int port, String message) {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            byte[] bytes = message.replace("%PORT%", Integer.toString(socket.getLocalPort()))
                    .getBytes(StandardCharsets.ISO_8859_1);
            socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes raw bytes on a fresh TCP connection and returns whatever comes back before close or 3 s. */
    public static String tcp(int port, byte[] bytes) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 3000);
            socket.setSoTimeout(3000);
            socket.getOutputStream().write(bytes);
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            int n = in.read(buffer);
            return n < 0 ? "" : new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
        } catch (SocketTimeoutException e) {
            return "";
        } catch (IOException e) {
            return "closed: " + e.getMessage();
        }
    }
}
