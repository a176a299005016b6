package io.psip.routing.sip;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.call.SourceRateLimiter;
import io.psip.testsupport.FreePorts;

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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Benchmark, not a test: how much one abuser costs the SIP edge before another caller notices. Loopback only,
 * bounded (at most 2 100 connections, floods of 3 s each). The victim is 127.0.0.1 sending OPTIONS (answered
 * statelessly on the SIP thread, so its round trip is the SIP thread's responsiveness); the abusers are 127.0.0.2
 * and, for the connection count beyond one source's limit, 127.0.1.x. Prints figures; asserts nothing.
 * <pre>
 *   ./mvnw -B -q -o -pl routing-service -am test-compile dependency:build-classpath \
 *       -Dmdep.outputFile=/tmp/cp.txt -Dmdep.includeScope=test
 *   cd routing-service && java -Xmx384m -XX:+UseSerialGC -cp "target/test-classes:target/classes:$(cat /tmp/cp.txt)" \
 *       io.psip.routing.sip.TransportLimitsBench [connections|requests|both]
 * </pre>
 * Without the rate limit the flood stops at 40 000/s: beyond that the queue behind the UDP thread grew until
 * the heap (384 MB) was gone, the failure this limit is for.
 */
public final class TransportLimitsBench {

    private static final InetAddress VICTIM = address("127.0.0.1");
    private static final InetAddress ABUSER = address("127.0.0.2");
    private static final int PROBE_TIMEOUT_MS = 2000;

    private TransportLimitsBench() {
    }

    public static void main(String[] args) throws Exception {
        String what = args.length > 0 ? args[0] : "both";
        System.out.printf("cores=%d maxHeapMB=%d%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        if (!what.equals("requests")) {
            connections();
        }
        if (!what.equals("connections")) {
            requests(new SourceRateLimiter.Limits(500, 1000, 65536), "rate limit 500/s, burst 1000 (default)",
                    new int[] {0, 1_000, 2_000, 5_000, 10_000, 20_000, 40_000, Integer.MAX_VALUE});
            requests(new SourceRateLimiter.Limits(0, 1, 1), "no rate limit",
                    new int[] {0, 1_000, 2_000, 5_000, 10_000, 20_000, 40_000});
        }
        System.exit(0);
    }

    /** Idle TCP connections: one source against its limit, then many sources against the edge's total. */
    private static void connections() throws Exception {
        Edge edge = new Edge(EdgeFixtures.SERVICE_DEFAULT_TRANSPORT);
        List<Socket> held = new ArrayList<>();
        try {
            System.out.println("== idle TCP connections (per source 32, in all 2048, idle timeout 120 s)");
            for (int i = 0; i < 200; i++) {
                tryConnect(ABUSER, edge.port, held);
            }
            Thread.sleep(500);
            System.out.printf("one source opened 200: edge holds %d of them, reset %d; victim %s%n",
                    edge.sip.connectionsFrom(ABUSER), (long) edge.dropped("connection_limit"), edge.probe());
            closeAll(held);
            int[] steps = {250, 500, 1000, 1500, 2000, 2040, 2060, 2100};
            for (int step : steps) {
                while (held.size() < step) {
                    // 30 per source, under the per-source limit: only the edge's total can stop them.
                    InetAddress from = address("127.0.1." + (1 + held.size() / 30));
                    if (!tryConnect(from, edge.port, held)) {
                        break;
                    }
                }
                Thread.sleep(300);
                long usedMB = (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20;
                System.out.printf("held %4d idle connections from %d sources: threads=%d heapMB=%d victim %s%n",
                        held.size(), (held.size() + 29) / 30, Thread.activeCount(), usedMB, edge.probe());
            }
        } finally {
            closeAll(held);
            edge.stop();
        }
    }

    /** Floods of UDP requests from one source at rising rates, 3 s each, while the victim keeps probing. */
    private static void requests(SourceRateLimiter.Limits limits, String label, int[] rates) throws Exception {
        SipSettings.Transport d = EdgeFixtures.SERVICE_DEFAULT_TRANSPORT;
        Edge edge = new Edge(new SipSettings.Transport(d.idleTimeout(), d.readTimeout(), d.tlsHandshakeTimeout(),
                d.maxConnections(), d.maxConnectionsPerSource(), limits));
        try {
            System.out.println("== UDP request flood from one source, " + label);
            for (int rate : rates) {
                double droppedBefore = edge.dropped("rate_limit");
                AtomicBoolean running = new AtomicBoolean(true);
                AtomicLong sent = new AtomicLong();
                Thread flooder = new Thread(() -> flood(edge.port, rate, running, sent), "flood");
                long start = System.nanoTime();
                flooder.start();
                Thread.sleep(300); // let the flood reach its rate
                String victim = edge.probeFor(Duration.ofSeconds(3), 50);
                running.set(false);
                flooder.join();
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("offered %-6s sent %6.0f/s dropped %6.0f/s | victim %s%n",
                        rate == Integer.MAX_VALUE ? "max" : Integer.toString(rate), sent.get() / seconds,
                        (edge.dropped("rate_limit") - droppedBefore) / seconds, victim);
                Thread.sleep(1000); // drain before the next step
            }
        } finally {
            edge.stop();
        }
    }

    private static void flood(int port, int rate, AtomicBoolean running, AtomicLong sent) {
        if (rate == 0) {
            return;
        }
        try (DatagramSocket socket = new DatagramSocket(0, ABUSER)) {
            byte[] bytes = options(ABUSER, socket.getLocalPort()).getBytes(StandardCharsets.US_ASCII);
            DatagramPacket packet = new DatagramPacket(bytes, bytes.length, VICTIM, port);
            long start = System.nanoTime();
            long deadline = start + Duration.ofSeconds(10).toNanos();
            while (running.get() && System.nanoTime() < deadline) {
                long due = rate == Integer.MAX_VALUE ? Long.MAX_VALUE
                        : (System.nanoTime() - start) * rate / 1_000_000_000L;
                while (sent.get() < due && running.get()) {
                    socket.send(packet);
                    sent.incrementAndGet();
                }
                if (rate != Integer.MAX_VALUE) {
                    LockSupport.parkNanos(200_000);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean tryConnect(InetAddress from, int port, List<Socket> held) {
        Socket socket = new Socket();
        try {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress(VICTIM, port), 2000);
            held.add(socket);
            return true;
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing held
            }
            return false;
        }
    }

    private static void closeAll(List<Socket> sockets) {
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        sockets.clear();
    }

    private static String options(InetAddress from, int localPort) {
        String id = UUID.randomUUID().toString();
        return "OPTIONS sip:probe@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + from.getHostAddress() + ":" + localPort + ";branch=z9hG4bK" + id + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:bench@" + from.getHostAddress() + ">;tag=" + id.substring(0, 8) + "\r\n"
                + "To: <sip:probe@127.0.0.1>\r\n"
                + "Call-ID: bench-" + id + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static InetAddress address(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An edge on a free port, refusing nothing the bench sends (OPTIONS only). */
    private static final class Edge {

        final int port = FreePorts.sip();
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        final SipEdge sip;

        Edge(SipSettings.Transport transport) throws Exception {
            sip = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2), 4 << 20, 4,
                    5000, Duration.ofSeconds(10), EdgeFixtures.GENEROUS_LIMITS, null,
                    EdgeFixtures.loopbackFarEnds(port), transport),
                    EdgeFixtures.acmeOpenToLoopback(), event -> { }, new CallMetrics(registry), Clock.systemUTC(),
                    new Call.CallOrigin("us", "bench"));
            sip.start();
        }

        void stop() {
            sip.stop();
        }

        double dropped(String reason) {
            return registry.find("psip.sip.dropped").tag("reason", reason).counters().stream()
                    .mapToDouble(Counter::count).sum();
        }

        /** Five OPTIONS over UDP and five over new TCP connections from the victim. */
        String probe() {
            long[] udp = new long[5];
            long[] tcp = new long[5];
            for (int i = 0; i < 5; i++) {
                udp[i] = udpRoundTrip();
                tcp[i] = tcpRoundTrip();
            }
            return "udp " + summary(udp) + " tcp " + summary(tcp);
        }

        /** UDP OPTIONS at {@code perSecond} for {@code duration}. */
        String probeFor(Duration duration, int perSecond) {
            int n = (int) (duration.toMillis() * perSecond / 1000);
            long[] rtt = new long[n];
            long interval = 1_000_000_000L / perSecond;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                LockSupport.parkNanos(Math.max(0, start + i * interval - System.nanoTime()));
                rtt[i] = udpRoundTrip();
            }
            return summary(rtt);
        }

        /** Round trip in microseconds, or -1 when no answer came within the probe timeout. */
        private long udpRoundTrip() {
            try (DatagramSocket socket = new DatagramSocket(0, VICTIM)) {
                socket.setSoTimeout(PROBE_TIMEOUT_MS);
                byte[] bytes = options(VICTIM, socket.getLocalPort()).getBytes(StandardCharsets.US_ASCII);
                long start = System.nanoTime();
                socket.send(new DatagramPacket(bytes, bytes.length, VICTIM, port));
                DatagramPacket answer = new DatagramPacket(new byte[4096], 4096);
                socket.receive(answer);
                return (System.nanoTime() - start) / 1000;
            } catch (SocketTimeoutException e) {
                return -1;
            } catch (IOException e) {
                return -1;
            }
        }

        private long tcpRoundTrip() {
            try (Socket socket = new Socket()) {
                long start = System.nanoTime();
                socket.bind(new InetSocketAddress(VICTIM, 0));
                socket.connect(new InetSocketAddress(VICTIM, port), PROBE_TIMEOUT_MS);
                socket.setSoTimeout(PROBE_TIMEOUT_MS);
                socket.getOutputStream().write(options(VICTIM, socket.getLocalPort()).replace("SIP/2.0/UDP",
                        "SIP/2.0/TCP").getBytes(StandardCharsets.US_ASCII));
                InputStream in = socket.getInputStream();
                int first = in.read();
                return first < 0 ? -1 : (System.nanoTime() - start) / 1000;
            } catch (IOException e) {
                return -1;
            }
        }

        private static String summary(long[] micros) {
            long lost = Arrays.stream(micros).filter(m -> m < 0).count();
            long[] ok = Arrays.stream(micros).filter(m -> m >= 0).sorted().toArray();
            if (ok.length == 0) {
                return String.format("answered 0/%d", micros.length);
            }
            return String.format("answered %d/%d p50 %.1f ms p99 %.1f ms max %.1f ms", ok.length, micros.length,
                    ok[ok.length / 2] / 1000.0, ok[Math.min(ok.length - 1, (int) (ok.length * 0.99))] / 1000.0,
                    ok[ok.length - 1] / 1000.0) + (lost > 0 ? " lost " + lost : "");
        }
    }
}
