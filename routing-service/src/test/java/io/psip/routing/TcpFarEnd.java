package io.psip.routing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A far end over SIP/TCP on 127.0.0.1 that answers one INVITE (180, then 200 with SDP) and answers a BYE with 200,
 * on whichever connection each arrives. sipp cannot play this part across a crash of the edge: when the edge's TCP
 * connection closes, sipp aborts the call, where a real phone keeps its dialog and takes a BYE on a new connection.
 */
public final class TcpFarEnd implements AutoCloseable {

    private static final String TAG = "farend42";

    private final ServerSocket server;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private TcpFarEnd(ServerSocket server) {
        this.server = server;
        this.acceptor = new Thread(this::accept, "tcp-far-end");
        this.acceptor.setDaemon(true);
    }

    static TcpFarEnd start() {
        try {
            TcpFarEnd farEnd = new TcpFarEnd(new ServerSocket(0, 10, InetAddress.getLoopbackAddress()));
            farEnd.acceptor.start();
            return farEnd;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return server.getLocalPort();
    }

    /** Every request received so far, in order. */
    List<String> received() {
        return List.copyOf(received);
    }

    /** The first received request with this method, if any. */
    Optional<String> request(String method) {
        return received.stream().filter(r -> r.startsWith(method + " ")).findFirst();
    }

    /** The tag this far end put in its To; a BYE in its dialog carries it. */
    static String tag() {
        return TAG;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket connection = server.accept();
                Thread reader = new Thread(() -> serve(connection), "tcp-far-end-connection");
                reader.setDaemon(true);
                reader.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket connection) {
        try (connection; InputStream in = new BufferedInputStream(connection.getInputStream());
             OutputStream out = connection.getOutputStream()) {
            String request;
            while ((request = readMessage(in)) != null) {
                received.add(request);
                if (request.startsWith("INVITE ")) {
                    out.write(response(request, "180 Ringing", "").getBytes(StandardCharsets.ISO_8859_1));
                    String sdp = "v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                            + "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
                    out.write(response(request, "200 OK", sdp).getBytes(StandardCharsets.ISO_8859_1));
                } else if (request.startsWith("BYE ")) {
                    out.write(response(request, "200 OK", "").getBytes(StandardCharsets.ISO_8859_1));
                }
                out.flush();
            }
        } catch (IOException gone) {
            // the edge closed the connection (or was killed): a later request comes on a new one
        }
    }

    private String response(String request, String status, String sdp) {
        StringBuilder response = new StringBuilder("SIP/2.0 ").append(status).append("\r\n");
        for (String name : List.of("Via", "From", "To", "Call-ID", "CSeq")) {
            String value = header(request, name);
            if (name.equals("To") && !value.contains(";tag=")) {
                value += ";tag=" + TAG;
            }
            response.append(name).append(": ").append(value).append("\r\n");
        }
        response.append("Contact: <sip:bob@127.0.0.1:").append(port()).append(";transport=tcp>\r\n");
        if (!sdp.isEmpty()) {
            response.append("Content-Type: application/sdp\r\n");
        }
        return response.append("Content-Length: ").append(sdp.length()).append("\r\n\r\n").append(sdp).toString();
    }

    /** A header's value (the first of that name, full names only, as the edge sends them). */
    public static String header(String message, String name) {
        for (String line : message.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith(name.toLowerCase(Locale.ROOT) + ":")) {
                return line.substring(name.length() + 1).trim();
            }
        }
        throw new IllegalArgumentException("no " + name + " in " + message);
    }

    /** One SIP message from the stream (headers, then Content-Length bytes of body); null at the end of it. */
    public static String readMessage(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.equals("\r\n")) {
                head.reset(); // keep-alive CRLF between messages
            } else if (text.endsWith("\r\n\r\n")) {
                int length = Integer.parseInt(header(text, "Content-Length"));
                byte[] body = in.readNBytes(length);
                return text + new String(body, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
