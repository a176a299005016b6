package io.psip.routing.sip;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.routing.call.ActiveCalls;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.call.DigestAuthenticator;
import io.psip.routing.call.OverloadPolicy;
import io.psip.routing.call.RegionalHost;
import io.psip.routing.call.RegisteredUsers;
import io.psip.routing.call.Registrar;
import io.psip.routing.call.RegistrationMetrics;
import io.psip.routing.call.SourceRateLimiter;
import io.psip.routing.table.RoutingTables;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Benchmark harness, not a test: REGISTER on one SIP edge with a real {@link Registrar} (bindings published
 * nowhere, so no Kafka), domain {@code acme} with {@value #USERS} digest users, sipp over UDP on loopback as the
 * phones ({@code sipp/bench-register.xml}, one user per call from a CSV). Per phase it prints what sipp saw (200s,
 * 503s, failed calls, retransmissions of REGISTER, response times per step: p50, p99 and mean, in
 * sipp's clock ticks of about 4 ms, so 0 is under one tick) and this JVM's CPU per registration, from
 * {@code getProcessCpuTime} before and after (sipp runs in its own process). Asserts nothing.
 * <ul>
 *   <li>{@code register}: every call a new registration, 401 with a fresh nonce then an authorized REGISTER;
 *   the rate is REGISTER transactions/s, two per registration;</li>
 *   <li>{@code refresh}: each call registers as above, then re-registers {@value #REFRESHES} times on its Call-ID
 *   with the next CSeq and nonce-count (no challenge); the rate is again REGISTER transactions/s.</li>
 * </ul>
 * As run by {@code bench/register-bench [port] [seconds] [register rates] [refresh rates]} (JFR=1 adds a flight
 * recording to routing-service/target/register-bench.jfr):
 * <pre>
 *   ./mvnw -B -q -pl routing-service -am test-compile dependency:build-classpath \
 *       -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
 *   cd routing-service && java -Xmx512m -cp "target/test-classes:target/classes:$(cat target/cp.txt)" \
 *       io.psip.routing.sip.RegisterBench [port] [seconds] [register rates] [refresh rates]
 * </pre>
 * Defaults: port 25090 (sipp on the next), 20 s, register rates 200,500,1000, refresh rates 500,1000 ({@code -}:
 * none). Each run writes sipp's files to a temp dir it names.
 */
public final class RegisterBench {

    /** Users {@code uNNNN} with the password {@code pw-uNNNN} (SipEdgeRegisterTest.domain). */
    private static final int USERS = 1000;
    private static final int REFRESHES = 4;
    private static final String DOMAIN = "acme";
    private static final String HOST = "acme.sip-us.example.com";
    private static final String REFRESH_START = "<!-- refresh -->";
    private static final String REFRESH_END = "<!-- /refresh -->";

    /** routing-service's defaults (RoutingProperties.Overload), so overload is shed as in the service. */
    private static final OverloadPolicy.Limits SERVICE_DEFAULT_LIMITS = new OverloadPolicy.Limits(
            Duration.ofMillis(100), Duration.ofMillis(100), 500, Duration.ofSeconds(5));

    /** The service's transport defaults but no per-source rate limit: every phone here is 127.0.0.1. */
    private static final SipSettings.Transport NO_RATE_LIMIT = new SipSettings.Transport(
            EdgeFixtures.SERVICE_DEFAULT_TRANSPORT.idleTimeout(), EdgeFixtures.SERVICE_DEFAULT_TRANSPORT.readTimeout(),
            EdgeFixtures.SERVICE_DEFAULT_TRANSPORT.tlsHandshakeTimeout(),
            EdgeFixtures.SERVICE_DEFAULT_TRANSPORT.maxConnections(),
            EdgeFixtures.SERVICE_DEFAULT_TRANSPORT.maxConnectionsPerSource(), new SourceRateLimiter.Limits(0, 1, 1));

    private final int port;
    private final Path dir;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final RoutingTables tables = EdgeFixtures.tables(
            SipEdgeRegisterTest.domain(DOMAIN, List.of("127.0.0.0/8"), users().toArray(String[]::new)));
    private final Registrar registrar;

    private RegisterBench(int port, Path dir) {
        this.port = port;
        this.dir = dir;
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        // MD5 only: sipp's [authentication] signs MD5, and would pick the first challenge of several.
        registrar = new Registrar(new RegionalHost("us", "example.com"), tables,
                new DigestAuthenticator(key, Clock.systemUTC(), Duration.ofMinutes(5), List.of("MD5")), () -> true,
                new Registrar.Settings(Duration.ofSeconds(60), Duration.ofSeconds(3600), Duration.ofSeconds(3600), 2,
                        100_000, 100_000, NO_RATE_LIMIT.idleTimeout()),
                "register-bench", Clock.systemUTC(), new RegistrationMetrics(meters));
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 25090;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int[] registerRates = rates(args.length > 2 ? args[2] : "200,500,1000");
        int[] refreshRates = rates(args.length > 3 ? args[3] : "500,1000");
        RegisterBench bench = new RegisterBench(port, Files.createTempDirectory("register-bench-"));
        SipEdge edge = bench.startEdge();
        try {
            System.out.printf("cores=%d maxHeapMB=%d load=%s users=%d dir=%s%n",
                    Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                    Files.readString(Path.of("/proc/loadavg")).trim(), USERS, bench.dir);
            // Enough for the JIT: shorter, the first phases measured paid for the compilation.
            bench.phase("warm-up", 1000, 10, 0);
            bench.idle(5);
            System.out.println("phase     txn/s  calls    200  503  failed  retrans  p50/p99 ms (401 | 200 | refresh)"
                    + "            cpu ms  cpu us/200  bindings  refused");
            for (int rate : registerRates) {
                System.out.println(bench.phase("register", rate, seconds, 0));
            }
            for (int rate : refreshRates) {
                System.out.println(bench.phase("refresh", rate, seconds, REFRESHES));
            }
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        } finally {
            edge.stop();
            bench.registrar.close();
        }
        // The SIP stack's threads are not daemons.
        System.exit(0);
    }

    private SipEdge startEdge() throws Exception {
        registrar.start();
        SipEdge edge = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2),
                1 << 20, 4, 5000, Duration.ofSeconds(10), SERVICE_DEFAULT_LIMITS, null,
                EdgeFixtures.loopbackFarEnds(port), NO_RATE_LIMIT),
                EdgeFixtures.admission(tables), event -> { },
                new CallMetrics(new SimpleMeterRegistry()), Clock.systemUTC(), new Call.CallOrigin("us", "bench"),
                ActiveCalls.NONE, registrar, RegisteredUsers.NONE);
        edge.start();
        Files.write(dir.resolve("users.csv"), Stream.concat(Stream.of("SEQUENTIAL"),
                users().map(u -> u + ";[authentication username=" + u + " password=pw-" + u + "]")).toList());
        try (InputStream in = RegisterBench.class.getResourceAsStream("/sipp/bench-register.xml")) {
            Files.writeString(dir.resolve("bench-register.xml"), new String(in.readAllBytes(),
                    StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1);
        }
        return edge;
    }

    /**
     * One sipp run at {@code rate} REGISTER transactions/s for {@code seconds}, each call {@code 2 + refreshes}
     * transactions; returns its line of the table.
     */
    private String phase(String name, int rate, int seconds, int refreshes) throws Exception {
        int perCall = 2 + refreshes;
        double callRate = (double) rate / perCall;
        long calls = Math.round(callRate * seconds);
        Path run = Files.createDirectories(dir.resolve(name + "-" + rate));
        Path scenario = run.resolve("bench-register.xml");
        Files.writeString(scenario, withRefreshes(Files.readString(dir.resolve("bench-register.xml"),
                StandardCharsets.ISO_8859_1), refreshes), StandardCharsets.ISO_8859_1);
        Map<String, Double> refusedBefore = refused();
        Map<String, Long> threadsBefore = threadCpuNanos();
        long cpuBefore = processCpuNanos();
        Process sipp = new ProcessBuilder("timeout", Integer.toString(seconds + 40), "sipp", "-sf", scenario.toString(),
                "-inf", dir.resolve("users.csv").toString(), "-i", "127.0.0.1", "-p", Integer.toString(port + 1),
                "-t", "u1", "-r", String.format("%.3f", callRate), "-m", Long.toString(calls), "-l", "20000",
                "-key", "domain", HOST, "-auth_uri", HOST, "-nostdin", "-timeout", (seconds + 30) + "s",
                "-recv_timeout", "10000", "-timer_resol", "1", "-max_recv_loops", "10000", "-trace_stat", "-fd", "1",
                "-stf", run.resolve("stat.csv").toString(), "-trace_counts", "-trace_rtt", "-rtt_freq", "1",
                "-trace_err", "-nd", "127.0.0.1:" + port)
                .directory(run.toFile()).redirectErrorStream(true).redirectOutput(run.resolve("sipp.out").toFile())
                .start();
        if (!sipp.waitFor(seconds + 60, TimeUnit.SECONDS)) {
            sipp.destroyForcibly();
        }
        long cpu = processCpuNanos() - cpuBefore;
        String byThread = byThread(threadsBefore, cpu);
        Map<String, Long> counts = lastRow(only(run, "_counts.csv"));
        Map<String, Long> stat = lastRow(run.resolve("stat.csv"));
        Map<String, List<Double>> rtt = rtts(run);
        long ok = sum(counts, "_200_Recv");
        Map<String, Long> refusedNow = new TreeMap<>();
        refused().forEach((reason, count) -> {
            long delta = Math.round(count - refusedBefore.getOrDefault(reason, 0.0));
            if (delta > 0 && !reason.equals("challenged")) {
                refusedNow.put(reason, delta);
            }
        });
        return String.format("%-8s %6d %6d %6d %4d %7d %8d  %-38s %7d %10.0f %9d  %s (sipp exit %d)",
                name, rate, calls, ok, sum(counts, "_503_Recv"), stat.getOrDefault("FailedCall(C)", -1L),
                sum(counts, "_REGISTER_Retrans"), percentiles(rtt, "challenge") + " | " + percentiles(rtt, "register")
                        + (refreshes > 0 ? " | " + percentiles(rtt, "refresh") : ""),
                cpu / 1_000_000, ok == 0 ? 0.0 : cpu / 1000.0 / ok, registrar.size(), refusedNow, sipp.exitValue())
                + "\n    cpu ms by thread: " + byThread;
    }

    /** This JVM's CPU over {@code seconds} without traffic: what every phase pays anyway. */
    private void idle(int seconds) throws InterruptedException {
        Map<String, Long> threadsBefore = threadCpuNanos();
        long cpuBefore = processCpuNanos();
        Thread.sleep(seconds * 1000L);
        long cpu = processCpuNanos() - cpuBefore;
        System.out.printf("idle %d s: cpu %d ms; by thread: %s%n", seconds, cpu / 1_000_000,
                byThread(threadsBefore, cpu));
    }

    /** CPU of live Java threads by name (digits dropped, so pools add up). */
    private static Map<String, Long> threadCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<String, Long> byName = new HashMap<>();
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            long nanos = info == null ? -1 : threads.getThreadCpuTime(info.getThreadId());
            if (nanos > 0) {
                byName.merge(info.getThreadName().replaceAll("\\d+", "#"), nanos, Long::sum);
            }
        }
        return byName;
    }

    /**
     * The busiest thread groups since {@code before} and the rest of {@code processCpu}: the JVM's own threads
     * (GC, JIT, JFR), which no ThreadMXBean lists, and threads that ended in between.
     */
    private static String byThread(Map<String, Long> before, long processCpu) {
        Map<String, Long> deltas = new HashMap<>();
        threadCpuNanos().forEach((name, nanos) -> deltas.put(name, nanos - before.getOrDefault(name, 0L)));
        long java = deltas.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder top = new StringBuilder();
        deltas.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5)
                .forEach(e -> top.append(e.getKey()).append('=').append(e.getValue() / 1_000_000).append(", "));
        return top + "jvm-internal=" + (processCpu - java) / 1_000_000;
    }

    /** The scenario with its refresh block once per re-registration, CSeq 3, 4, ... (sipp's [cseq] stalls). */
    private static String withRefreshes(String scenario, int refreshes) {
        int start = scenario.indexOf(REFRESH_START);
        int end = scenario.indexOf(REFRESH_END) + REFRESH_END.length();
        String block = scenario.substring(start, end);
        StringBuilder repeated = new StringBuilder();
        for (int i = 0; i < refreshes; i++) {
            repeated.append(block.replace("REFRESH_CSEQ", Integer.toString(3 + i))).append('\n');
        }
        return scenario.substring(0, start) + repeated + scenario.substring(end);
    }

    private Map<String, Double> refused() {
        Map<String, Double> byReason = new HashMap<>();
        for (Counter counter : meters.find("psip.sip.register.refused").counters()) {
            byReason.put(counter.getId().getTag("reason"), counter.count());
        }
        return byReason;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The one file sipp named {@code <scenario>_<pid><suffix>} in {@code run}. */
    private static Path only(Path run, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(run)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)).findFirst()
                    .orElseThrow(() -> new IOException("sipp wrote no *" + suffix + " in " + run));
        }
    }

    /** The last line of a sipp {@code ;}-separated file with a header, its integer columns by name. */
    private static Map<String, Long> lastRow(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file).stream().filter(l -> !l.isBlank()).toList();
        String[] header = lines.get(0).split(";");
        String[] last = lines.get(lines.size() - 1).split(";");
        Map<String, Long> row = new HashMap<>();
        for (int i = 0; i < Math.min(header.length, last.length); i++) {
            try {
                row.put(header[i].trim(), Long.parseLong(last[i].trim()));
            } catch (NumberFormatException notACount) {
                // times and dates
            }
        }
        return row;
    }

    private static long sum(Map<String, Long> row, String suffix) {
        return row.entrySet().stream().filter(e -> e.getKey().endsWith(suffix)).mapToLong(Map.Entry::getValue).sum();
    }

    /**
     * sipp's -trace_rtt lines {@code date_ms;response_time_ms;rtd}: the response times of each rtd (no file when
     * no rtd completed).
     */
    private static Map<String, List<Double>> rtts(Path run) throws IOException {
        Map<String, List<Double>> byRtd = new HashMap<>();
        try (Stream<Path> files = Files.list(run)) {
            if (files.noneMatch(f -> f.getFileName().toString().endsWith("_rtt.csv"))) {
                return byRtd;
            }
        }
        for (String line : Files.readAllLines(only(run, "_rtt.csv"))) {
            String[] f = line.split(";");
            if (f.length >= 3 && !f[0].startsWith("Date")) {
                byRtd.computeIfAbsent(f[2].trim(), k -> new ArrayList<>()).add(Double.parseDouble(f[1]));
            }
        }
        return byRtd;
    }

    private static String percentiles(Map<String, List<Double>> rtt, String rtd) {
        List<Double> times = rtt.get(rtd);
        if (times == null || times.isEmpty()) {
            return "-";
        }
        double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return String.format("%.0f/%.0f/%.1f", sorted[(int) (sorted.length * 0.50)],
                sorted[Math.min(sorted.length - 1, (int) (sorted.length * 0.99))], Arrays.stream(sorted).average()
                        .orElseThrow());
    }

    private static Stream<String> users() {
        return IntStream.rangeClosed(1, USERS).mapToObj(i -> String.format("u%04d", i));
    }

    /** {@code -}: none. */
    private static int[] rates(String list) {
        return list.equals("-") ? new int[0] : Arrays.stream(list.split(",")).mapToInt(Integer::parseInt).toArray();
    }
}
