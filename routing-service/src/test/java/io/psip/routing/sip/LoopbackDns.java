package io.psip.routing.sip;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A DNS server on 127.0.0.1 that answers SRV and NAPTR questions from a table, in wire format, so the JDK's JNDI
 * DNS provider is tested as it runs; any other question gets an empty answer (NOERROR, no records).
 */
final class LoopbackDns implements AutoCloseable {

    private static final int SRV = 33;
    private static final int NAPTR = 35;

    /** An SRV record's data. */
    record Srv(int priority, int weight, int port, String target) {
    }

    /** A NAPTR record's data. */
    record Naptr(int order, int preference, String flags, String service, String regexp, String replacement) {
    }

    private final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
            0));
    private final Map<String, List<Srv>> srv = new ConcurrentHashMap<>();
    private final Map<String, List<Naptr>> naptr = new ConcurrentHashMap<>();

    LoopbackDns() throws IOException {
        Thread thread = new Thread(this::serve, "loopback-dns");
        thread.setDaemon(true);
        thread.start();
    }

    String url() {
        return "dns://127.0.0.1:" + socket.getLocalPort();
    }

    void srv(String name, Srv... records) {
        srv.put(name.toLowerCase(Locale.ROOT), List.of(records));
    }

    void naptr(String name, Naptr... records) {
        naptr.put(name.toLowerCase(Locale.ROOT), List.of(records));
    }

    private void serve() {
        byte[] buffer = new byte[512];
        while (!socket.isClosed()) {
            try {
                DatagramPacket query = new DatagramPacket(buffer, buffer.length);
                socket.receive(query);
                byte[] answer = answer(ByteBuffer.wrap(buffer, 0, query.getLength()));
                socket.send(new DatagramPacket(answer, answer.length, query.getSocketAddress()));
            } catch (IOException e) {
                // closed at the end of the test, or a packet we cannot read
            }
        }
    }

    private byte[] answer(ByteBuffer query) throws IOException {
        int id = query.getShort() & 0xffff;
        query.position(12);
        StringBuilder name = new StringBuilder();
        for (int length = query.get() & 0xff; length > 0; length = query.get() & 0xff) {
            byte[] label = new byte[length];
            query.get(label);
            name.append(name.isEmpty() ? "" : ".").append(new String(label, StandardCharsets.US_ASCII));
        }
        int type = query.getShort() & 0xffff;
        query.getShort(); // class
        int questionEnd = query.position();
        String key = name.toString().toLowerCase(Locale.ROOT);
        List<byte[]> records = type == SRV ? srv.getOrDefault(key, List.of()).stream().map(LoopbackDns::srvData)
                .toList() : type == NAPTR ? naptr.getOrDefault(key, List.of()).stream().map(LoopbackDns::naptrData)
                .toList() : List.of();

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeShort(id);
        out.writeShort(0x8180); // response, recursion desired and available, NOERROR
        out.writeShort(1);
        out.writeShort(records.size());
        out.writeShort(0);
        out.writeShort(0);
        out.write(query.array(), 12, questionEnd - 12);
        for (byte[] data : records) {
            out.writeShort(0xc00c); // the question's name
            out.writeShort(type);
            out.writeShort(1);
            out.writeInt(60);
            out.writeShort(data.length);
            out.write(data);
        }
        return bytes.toByteArray();
    }

    private static byte[] srvData(Srv record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeShort(record.priority());
            out.writeShort(record.weight());
            out.writeShort(record.port());
            writeName(out, record.target());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private static byte[] naptrData(Naptr record) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeShort(record.order());
            out.writeShort(record.preference());
            for (String text : List.of(record.flags(), record.service(), record.regexp())) {
                out.writeByte(text.length());
                out.writeBytes(text);
            }
            writeName(out, record.replacement());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeName(DataOutputStream out, String name) throws IOException {
        for (String label : name.split("\\.")) {
            if (!label.isEmpty()) {
                out.writeByte(label.length());
                out.writeBytes(label);
            }
        }
        out.writeByte(0);
    }

    @Override
    public void close() {
        socket.close();
    }
}
