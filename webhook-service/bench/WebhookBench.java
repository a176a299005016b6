import com.sun.net.httpserver.HttpServer;
import io.psip.events.ApplicationChanged;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.ChangeType;
import io.psip.events.Webhook;
import io.psip.schemas.Topics;
import io.psip.schemas.serde.AvroSerdeConfig;
import io.psip.schemas.serde.AvroSerializer;
import io.psip.testsupport.FreePorts;
import io.psip.testsupport.TestKafka;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Puts load on webhook-service alone and prints what it cost: the service runs from its boot jar in a child JVM
 * (the launcher's flags) against an embedded broker and dev registry in this JVM; this JVM plays routing (offers,
 * then ringing/answered/completed once a CONNECT arrives) and a fast customer (answer_url and event_url on
 * 127.0.0.1). CPU is the child's utime+stime from /proc. Prints figures, asserts nothing; see run.sh.
 *
 * <p>Settings (system properties): bench.rate (calls/s, 100), bench.calls (measured calls, 2000), bench.warmup
 * (calls, 3000), bench.idle (seconds of idle measurement, 30), bench.answerDelayMs (answer_url latency, 0),
 * bench.jvm (the service JVM's GC/JIT/heap flags, default the launcher's), bench.jvmArgs (more flags, space
 * separated), bench.serviceArgs (extra --key=value),
 * bench.jar (the service jar, to compare builds back to back; default the module's target jar).
 */
public class WebhookBench {

    private static final String NCCO = "[{\"action\":\"connect\",\"endpoint\":[{\"type\":\"sip\","
            + "\"uri\":\"sip:agent@127.0.0.1:5090\"}]}]";
    private static final String APP = "app-bench";
    private static final long CLK_TCK = 100;
    /** C1 and C2 compiler threads as {@link #ticksByThread} names them. */
    private static final String JIT_THREADS = "CN CompilerThre";
    /** What the local launcher gives webhook-service (local-platform ChildJvm), less the parent-watch agent. */
    private static final String LAUNCHER_FLAGS = "-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Xmx384m -XX:MetaspaceSize=128m";

    private final Map<String, Long> offeredAt = new ConcurrentHashMap<>();
    private final List<Long> commandLatencies = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger finished = new AtomicInteger();
    private final AtomicInteger connects = new AtomicInteger();
    private final AtomicInteger rejects = new AtomicInteger();
    private KafkaProducer<String, SpecificRecord> producer;
    private volatile boolean running = true;

    public static void main(String[] args) throws Exception {
        int status = 1;
        try {
            new WebhookBench().run();
            status = 0;
        } finally {
            // the broker, registry and HTTP server threads would keep the JVM up after a failure
            System.exit(status);
        }
    }

    private void run() throws Exception {
        int rate = Integer.getInteger("bench.rate", 100);
        int calls = Integer.getInteger("bench.calls", 2000);
        int warmup = Integer.getInteger("bench.warmup", 3000);
        int idleSeconds = Integer.getInteger("bench.idle", 30);
        int answerDelayMs = Integer.getInteger("bench.answerDelayMs", 0);

        String bootstrap = TestKafka.bootstrapServers();
        String registry = TestKafka.registryUrl();
        HttpServer customer = customer(answerDelayMs);
        String base = "http://127.0.0.1:" + customer.getAddress().getPort();
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, registry, ProducerConfig.LINGER_MS_CONFIG, 1);
        AvroSerializer<SpecificRecord> serializer = new AvroSerializer<>();
        serializer.configure(config, false);
        producer = new KafkaProducer<>(config, new StringSerializer(), serializer);

        int port = FreePorts.tcp();
        Process service = startService(bootstrap, registry, port);
        Runtime.getRuntime().addShutdownHook(new Thread(service::destroy));
        awaitReady(port, service);
        producer.send(new ProducerRecord<>(Topics.APPLICATIONS.name(), APP, ApplicationChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setVersion(System.currentTimeMillis())
                .setOccurredAt(Instant.now()).setChangeType(ChangeType.CREATED).setApplicationId(APP)
                .setAccountId("psiplocal").setName(APP)
                .setAnswerUrl(new Webhook(base + "/answer", "GET", 1000, 5000))
                .setEventUrl(new Webhook(base + "/event", "POST", 1000, 5000))
                .build())).get();
        Thread routing = new Thread(() -> playRouting(bootstrap), "bench-routing");
        routing.start();

        long pid = service.pid();
        System.out.printf(Locale.ROOT, "webhook-service pid %d: %s%n", pid, service.info().commandLine().orElse(""));
        offer(warmup, rate, "warm-up");

        commandLatencies.clear();
        connects.set(0);
        rejects.set(0);
        long cpuStart = cpuTicks(pid);
        long threadsStart = threadsStarted(pid);
        Map<String, Long> loadByThread = ticksByThread(pid);
        Instant loadStart = Instant.now();
        long wallStart = System.nanoTime();
        boolean complete = offer(calls, rate, "measured");
        long wallMillis = (System.nanoTime() - wallStart) / 1_000_000;
        Instant loadEnd = Instant.now();
        long cpuMillis = (cpuTicks(pid) - cpuStart) * 1000 / CLK_TCK;
        long threadsStarted = threadsStarted(pid) - threadsStart;
        Map<String, Long> loadCost = delta(loadByThread, ticksByThread(pid));
        // JIT compilation is start-up cost (C2 keeps at it for minutes), not the cost of a call in steady state
        long jitMillis = loadCost.getOrDefault(JIT_THREADS, 0L) * 1000 / CLK_TCK;

        // idle after the load, once the calls' webhooks are done and the JIT has mostly settled
        long idleStart = cpuTicks(pid);
        long idleThreads = threadsStarted(pid);
        Map<String, Long> idleByThread = ticksByThread(pid);
        parkSeconds(idleSeconds);
        double idleMsPerSecond = (cpuTicks(pid) - idleStart) * 1000.0 / CLK_TCK / idleSeconds;
        long idleThreadsStarted = threadsStarted(pid) - idleThreads;
        Map<String, Long> idleCost = delta(idleByThread, ticksByThread(pid));

        List<Long> latencies = new ArrayList<>(commandLatencies);
        Collections.sort(latencies);
        System.out.printf(Locale.ROOT, "%nload: %d calls at %d/s in %d ms%s; %d CONNECT, %d REJECT (%s to %s)%n",
                calls, rate, wallMillis, complete ? "" : " (INCOMPLETE)", connects.get(), rejects.get(),
                loadStart, loadEnd);
        System.out.printf(Locale.ROOT, "  CPU %d ms = %.2f ms per call (%.0f ms/s); without JIT compiler threads "
                        + "%.2f ms per call%n", cpuMillis, (double) cpuMillis / calls, cpuMillis * 1000.0 / wallMillis,
                (double) (cpuMillis - jitMillis) / calls);
        System.out.printf(Locale.ROOT, "  threads started during load: %d%n", threadsStarted);
        printByThread(loadCost, calls, "ms per 1000 calls");
        System.out.printf(Locale.ROOT, "  offer -> command ms: p50 %d, p99 %d, max %d%n",
                percentile(latencies, 50), percentile(latencies, 99), percentile(latencies, 100));
        System.out.printf(Locale.ROOT, "idle: %.1f ms CPU per second over %d s, %d threads started%n",
                idleMsPerSecond, idleSeconds, idleThreadsStarted);
        printByThread(idleCost, idleSeconds, "ms per 1000 s");

        running = false;
        routing.join();
        producer.close();
        service.destroy();
        service.waitFor();
        customer.stop(0);
    }

    /** Offers {@code calls} calls at {@code rate}/s and waits until each is rejected or has posted completed. */
    private boolean offer(int calls, int rate, String phase) {
        finished.set(0);
        long start = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        for (int i = 0; i < calls; i++) {
            LockSupport.parkNanos(start + i * interval - System.nanoTime());
            String call = UUID.randomUUID().toString();
            offeredAt.put(call, System.nanoTime());
            send(event(call, CallEventType.OFFERED, 1));
        }
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (finished.get() < calls && System.nanoTime() < end) {
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        System.out.printf(Locale.ROOT, "%s: %d of %d calls finished%n", phase, finished.get(), calls);
        return finished.get() >= calls;
    }

    /** Routing's part: every CONNECT is followed by ringing, answered and completed, as a real call would be. */
    private void playRouting(String bootstrap) {
        String topic = Topics.callCommands("eu").name();
        try (var consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap), new StringDeserializer(),
                TestKafka.avro(CallCommand.class))) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToEnd(partitions);
            partitions.forEach(consumer::position);
            while (running) {
                for (ConsumerRecord<String, CallCommand> record : consumer.poll(Duration.ofMillis(100))) {
                    String call = record.key();
                    Long offered = offeredAt.remove(call);
                    if (offered != null) {
                        commandLatencies.add((System.nanoTime() - offered) / 1_000_000);
                    }
                    if (record.value().getAction() == CallAction.CONNECT) {
                        connects.incrementAndGet();
                        send(event(call, CallEventType.RINGING, 2));
                        send(event(call, CallEventType.ANSWERED, 3));
                        CallEvent completed = event(call, CallEventType.COMPLETED, 4);
                        completed.setDurationSeconds(1);
                        send(completed);
                    } else {
                        // a shed offer (503): routing ends the call, nothing more reaches event_url
                        rejects.incrementAndGet();
                        finished.incrementAndGet();
                    }
                }
            }
        }
    }

    private HttpServer customer(int answerDelayMs) throws IOException {
        // Without it each kept-alive response can wait for a delayed ACK, and the bench measures that.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1000);
        server.setExecutor(Executors.newFixedThreadPool(answerDelayMs > 0 ? 64 : 2));
        byte[] ncco = NCCO.getBytes(StandardCharsets.UTF_8);
        server.createContext("/answer", exchange -> {
            try (exchange) {
                if (answerDelayMs > 0) {
                    LockSupport.parkNanos(Duration.ofMillis(answerDelayMs).toNanos());
                }
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, ncco.length);
                exchange.getResponseBody().write(ncco);
            }
        });
        server.createContext("/event", exchange -> {
            try (exchange) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                if (body.contains("\"status\":\"completed\"")) {
                    finished.incrementAndGet();
                }
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
        return server;
    }

    private static Process startService(String bootstrap, String registry, int port) throws IOException {
        Path jar = Path.of(System.getProperty("bench.jar",
                "webhook-service/target/webhook-service-0.1.0-SNAPSHOT.jar"));
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(words(System.getProperty("bench.jvm", LAUNCHER_FLAGS)));
        command.addAll(words(System.getProperty("bench.jvmArgs", "")));
        command.addAll(List.of("-jar", jar.toString(),
                "--psip.kafka.bootstrap-servers=" + bootstrap,
                "--psip.schema-registry.url=" + registry,
                "--server.port=" + port));
        command.addAll(words(System.getProperty("bench.serviceArgs", "")));
        Path log = Files.createTempFile("webhook-bench", ".log");
        System.out.println("webhook-service log: " + log);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitReady(int port, Process service) throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/actuator/health/readiness")).build();
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < end && service.isAlive()) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
        }
        throw new IllegalStateException("webhook-service did not become ready");
    }

    private void send(CallEvent event) {
        producer.send(new ProducerRecord<>(Topics.CALL_EVENTS.name(), event.getCallUuid(), event));
    }

    private static CallEvent event(String call, CallEventType type, long sequence) {
        return CallEvent.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setSequence(sequence).setOccurredAt(Instant.now())
                .setType(type).setCallUuid(call).setConversationUuid("conv-" + call).setRegion("eu")
                .setInstanceId("routing-eu-1").setAccountId("psiplocal").setApplicationId(APP).setDomain("acme")
                .setFrom("alice").setTo("442079460000").setCustomHeaders(Map.of("X-UserId", "ABC123"))
                .build();
    }

    /** utime + stime of the process, in clock ticks (fields 14 and 15 of /proc/pid/stat). */
    private static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * CPU ticks by thread name (digits folded, so pool threads add up), from /proc/pid/task; a thread that ends
     * in between is missing here but counted in the process total.
     */
    private static Map<String, Long> ticksByThread(long pid) {
        Map<String, Long> ticks = new java.util.TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("\\d+", "N");
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks.merge(name, Long.parseLong(fields[11]) + Long.parseLong(fields[12]), Long::sum);
                } catch (IOException ended) {
                    // the thread ended while listing
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return ticks;
    }

    private static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> delta = new java.util.HashMap<>();
        after.forEach((name, ticks) -> delta.put(name, ticks - before.getOrDefault(name, 0L)));
        return delta;
    }

    private static void printByThread(Map<String, Long> ticks, int per, String unit) {
        ticks.entrySet().stream().filter(e -> e.getValue() > 0)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                .forEach(e -> System.out.printf(Locale.ROOT, "    %-18s %7.1f %s%n", e.getKey(),
                        e.getValue() * 1000.0 / CLK_TCK * 1000 / per, unit));
    }

    /** The JVM's own count of threads ever started, through jcmd's performance counters. */
    private static long threadsStarted(long pid) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    Long.toString(pid), "PerfCounter.print").redirectErrorStream(true).start();
            String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jcmd.waitFor();
            return out.lines().filter(line -> line.startsWith("java.threads.started="))
                    .mapToLong(line -> Long.parseLong(line.substring(line.indexOf('=') + 1))).findFirst().orElse(-1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static long percentile(List<Long> sorted, int percent) {
        return sorted.isEmpty() ? -1 : sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * percent / 100.0) - 1));
    }

    private static void parkSeconds(int seconds) {
        LockSupport.parkNanos(Duration.ofSeconds(seconds).toNanos());
    }

    private static List<String> words(String text) {
        return text.isBlank() ? List.of() : List.of(text.trim().split("\\s+"));
    }
}
