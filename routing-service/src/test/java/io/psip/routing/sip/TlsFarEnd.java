package io.psip.routing.sip;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A far end over TLS on 127.0.0.1 with the certificate of a key store: it records every INVITE it receives and
 * refuses it with 486, so a test sees both that the INVITE got through and the call end. Handshakes that fail (the
 * edge did not trust it) are counted.
 */
final class TlsFarEnd implements AutoCloseable {

    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?im)^(?:Content-Length|l)\\s*:\\s*(\\d+)");

    private final SSLServerSocket server;
    private final List<String> invites = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread thread;

    TlsFarEnd(Path keyStore) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "changeit".toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 10,
                InetAddress.getLoopbackAddress());
        thread = new Thread(this::serve, "tls-far-end");
        thread.setDaemon(true);
        thread.start();
    }

    int port() {
        return server.getLocalPort();
    }

    List<String> invites() {
        return invites;
    }

    /** TLS connections accepted, whether or not their handshake succeeded. */
    int connections() {
        return connections.get();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (SSLSocket socket = (SSLSocket) server.accept()) {
                connections.incrementAndGet();
                socket.setSoTimeout(10_000);
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                String message;
                while ((message = readMessage(in)) != null) {
                    if (message.startsWith("INVITE ")) {
                        invites.add(message);
                        out.write(busy(message).getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // a failed handshake, a timeout or the end of the test: serve the next connection
            }
        }
    }

    private static String busy(String invite) {
        StringBuilder response = new StringBuilder("SIP/2.0 486 Busy Here\r\n");
        for (String line : invite.split("\r\n")) {
            String name = line.contains(":") ? line.substring(0, line.indexOf(':')).trim().toLowerCase() : "";
            switch (name) {
                case "via", "from", "call-id", "cseq" -> response.append(line).append("\r\n");
                case "to" -> response.append(line).append(";tag=farend\r\n");
                default -> { }
            }
        }
        return response.append("Content-Length: 0\r\n\r\n").toString();
    }

    /** One SIP message (head and body), or null at the end of the stream. */
    private static String readMessage(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            head.write(c);
            String text = head.toString(StandardCharsets.US_ASCII);
            if (text.equals("\r\n")) {
                head.reset(); // keep-alive
            } else if (text.endsWith("\r\n\r\n")) {
                Matcher length = CONTENT_LENGTH.matcher(text);
                int body = length.find() ? Integer.parseInt(length.group(1)) : 0;
                return text + new String(in.readNBytes(body), StandardCharsets.US_ASCII);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
