package io.psip.local;

import io.psip.local.ChildJvm.Profile;
import io.psip.local.ClassDataSharing.Jar;
import io.psip.local.Ports.Region;
import io.psip.schemas.Topic;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.schemas.registry.SchemaCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The one-command local platform: starts Kafka, PostgreSQL, the dev schema registry and every service as child
 * processes on the local defaults, reports when all are ready, and stops them in reverse order.
 *
 * <p>Children never outlive the launcher: each child JVM carries the {@link ParentWatch} agent (it exits when the
 * launcher's pid is gone, even after kill -9), and the pids of the children are kept in the data directory so the
 * next start stops any that are still there. Children run in their own session (setsid) so a Ctrl-C in the
 * terminal reaches only the launcher, which then stops them in order.
 */
public final class LocalPlatform {

    static final String READY_LINE = "psip local platform ready";
    static final String API_KEY = "psiplocal";
    static final String API_SECRET = "psiplocalsecret";
    static final String BASE_DOMAIN = "example.com";
    /** The operator credential of routing's table endpoints and the actuator endpoints of every service. */
    static final String OPERATOR_USERNAME = "operator";
    static final String OPERATOR_PASSWORD = "psiplocaloperator";
    static final Duration READY_TIMEOUT = Duration.ofSeconds(180);
    private static final List<String> SERVICES = List.of("provisioning-service", "webhook-service", "routing-service",
            "voice-service", "console");
    private static final int TAIL_LINES = 40;
    private static final String SCHEMAS_TOPIC = "_schemas";

    private final Options options;
    private final Ports ports;
    private final Path dataDir;
    private final PrintStream out;
    private final PrintStream err;
    private final String version = readVersion();
    private final List<Child> services = new CopyOnWriteArrayList<>();
    private final List<Child> registry = new CopyOnWriteArrayList<>();
    private final List<Child> mirror = new CopyOnWriteArrayList<>();
    private final List<Child> kafka = new CopyOnWriteArrayList<>();
    private final List<Child> postgres = new CopyOnWriteArrayList<>();
    private final Object lifecycle = new Object();
    private final ClassDataSharing cds = new ClassDataSharing();
    private final LocalSecrets secrets;
    private volatile boolean stopping;
    private volatile FileChannel lockChannel;
    private Path agentJar;

    LocalPlatform(Options options, PrintStream out, PrintStream err) {
        this.options = options;
        this.ports = new Ports(options.portOffset(), options.regionalClusters());
        this.dataDir = options.dataDir();
        this.secrets = new LocalSecrets(dataDir, BASE_DOMAIN);
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("psip-local: " + e.getMessage());
            System.err.print(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(Options.USAGE);
            return;
        }
        LocalPlatform platform = new LocalPlatform(options, System.out, System.err);
        Runtime.getRuntime().addShutdownHook(new Thread(platform::stop, "psip-local-stop"));
        System.exit(platform.run());
    }

    /** Starts everything, then blocks while the platform runs. Returns the exit code. */
    int run() {
        long started = System.nanoTime();
        try {
            List<Path> jars = checkJars();
            prepareDataDir();
            secrets.ensure().forEach(created -> out.println("psip-local: generated " + created));
            checkPortsFree();
            agentJar = ParentWatch.writeAgentJar(dataDir.resolve("run/parent-watch.jar"));

            startKafka("kafka", ports.kafka(), ports.kafkaController(), ports.kafkaBootstrap());
            if (options.regionalClusters()) {
                startKafka("kafka-ap", ports.kafkaAp(), ports.kafkaApController(), ports.kafkaApBootstrap());
            }
            startPostgres();
            // while the brokers and the database start: only the first start after a build extracts anything
            List<Jar> extracted = jars.parallelStream().map(ClassDataSharing::extract).toList();
            awaitReady(concat(kafka, postgres));

            startRegistry(extracted.get(0));
            awaitReady(registry);
            if (options.regionalClusters()) {
                startRegionAp(extracted.get(0));
            }

            startServices(extracted.subList(1, extracted.size()));
            awaitReady(services);

            printEndpoints(Duration.ofNanos(System.nanoTime() - started));
            int code = watch();
            stop();
            return code;
        } catch (StartupFailure e) {
            if (!stopping) {
                err.println("psip-local: " + e.getMessage());
            }
        } catch (IOException | RuntimeException e) {
            err.println("psip-local: failed: " + e);
        }
        stop();
        return 1;
    }

    /** Stops services, then the registry, then Kafka, then PostgreSQL, each with a bounded wait. */
    void stop() {
        synchronized (lifecycle) {
            if (stopping) {
                return;
            }
            stopping = true;
        }
        if (!allChildren().isEmpty()) {
            long started = System.nanoTime();
            out.println("psip-local: stopping");
            stopGroup(services, Duration.ofSeconds(30));
            stopGroup(mirror, Duration.ofSeconds(20));
            stopGroup(registry, Duration.ofSeconds(15));
            cds.publishRecorded();
            stopGroup(kafka, Duration.ofSeconds(30));
            stopGroup(postgres, Duration.ofSeconds(20));
            try {
                Files.deleteIfExists(pidsFile());
            } catch (IOException ignored) {
                // harmless: the next start only stops listed pids that still run on this data directory
            }
            out.printf(Locale.ROOT, "psip-local: stopped in %.1f s%n", seconds(Duration.ofNanos(System.nanoTime() - started)));
        }
        if (lockChannel != null) {
            try {
                lockChannel.close();
            } catch (IOException ignored) {
                // the lock goes with the process anyway
            }
        }
    }

    private static void stopGroup(List<Child> group, Duration bound) {
        group.forEach(Child::terminate);
        long deadline = System.nanoTime() + bound.toNanos();
        group.forEach(child -> child.awaitExit(deadline));
    }

    private List<Path> checkJars() {
        Path root = options.projectDir();
        List<Path> jars = new ArrayList<>();
        jars.add(root.resolve("schema-registry/target/schema-registry-" + version + "-exec.jar"));
        SERVICES.forEach(m -> jars.add(root.resolve(m + "/target/" + m + "-" + version + ".jar")));
        List<Path> missing = jars.stream().filter(j -> !Files.isRegularFile(j)).toList();
        if (!missing.isEmpty()) {
            throw new StartupFailure("missing jars (build with ./mvnw -DskipTests package, or use bin/psip-local):"
                    + System.lineSeparator() + "  " + String.join(System.lineSeparator() + "  ",
                    missing.stream().map(Path::toString).toList()));
        }
        return jars;
    }

    private void prepareDataDir() throws IOException {
        Files.createDirectories(dataDir);
        lockChannel = FileChannel.open(dataDir.resolve("launcher.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new StartupFailure("another psip-local is already running on " + dataDir);
        }
        stopLeftovers();
        if (options.fresh()) {
            out.println("psip-local: wiping " + dataDir);
            try (Stream<Path> entries = Files.list(dataDir)) {
                for (Path entry : entries.filter(p -> !p.getFileName().toString().equals("launcher.lock")).toList()) {
                    deleteTree(entry);
                }
            }
        }
        Files.createDirectories(dataDir.resolve("logs"));
        Files.createDirectories(dataDir.resolve("run"));
    }

    /** Stops children of an earlier launcher on this data directory that was killed before it could stop them. */
    private void stopLeftovers() throws IOException {
        Path pids = pidsFile();
        if (!Files.exists(pids)) {
            return;
        }
        List<ProcessHandle> leftovers = new ArrayList<>();
        for (String line : Files.readAllLines(pids)) {
            String[] parts = line.trim().split(" ", 2);
            if (parts[0].isEmpty()) {
                continue;
            }
            ProcessHandle.of(Long.parseLong(parts[0]))
                    .filter(p -> p.info().commandLine().orElse("").contains(dataDir.toString()))
                    .ifPresent(leftovers::add);
        }
        if (!leftovers.isEmpty()) {
            out.println("psip-local: stopping " + leftovers.size() + " leftover processes of an earlier run");
            leftovers.forEach(ProcessHandle::destroy);
            for (ProcessHandle p : leftovers) {
                try {
                    p.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            }
        }
        Files.delete(pids);
    }

    private void checkPortsFree() {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        List<String> busy = new ArrayList<>();
        for (int port : ports.allTcp()) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(loopback, port));
            } catch (IOException e) {
                busy.add(port + "/tcp");
            }
        }
        for (Region region : Region.values()) {
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(loopback, ports.sip(region)))) {
                socket.getLocalPort();
            } catch (IOException e) {
                busy.add(ports.sip(region) + "/udp");
            }
        }
        if (!busy.isEmpty()) {
            throw new StartupFailure("ports already in use: " + String.join(", ", busy)
                    + " (another platform running? use --port-offset N)");
        }
    }

    /** A KRaft broker named {@code name}, kept under DATA_DIR/name. */
    private void startKafka(String name, int port, int controllerPort, String bootstrap) throws IOException {
        Path dir = dataDir.resolve(name);
        Path properties = KafkaBroker.writeServerProperties(port, controllerPort, dir);
        if (KafkaBroker.formatIfNeeded(properties, dir.resolve("data"))) {
            out.println("psip-local: formatted Kafka storage in " + dir.resolve("data"));
        }
        List<String> command = ChildJvm.onLauncherClassPath(agentJar, Profile.KAFKA, gcLog(name), "kafka.Kafka",
                List.of(properties.toString()));
        start(kafka, name, command, Readiness.kafka(bootstrap));
    }

    /**
     * Region ap's side of the regional clusters: MirrorMaker 2 from the central cluster and ap's read-only
     * registry, ready once that registry serves every schema this build writes. ap's producers only look
     * schemas up there, so every current schema is registered centrally first; the configuration topics are
     * created centrally too, so the mirror creates ap's copies with the central settings before any ap service
     * could create them on its own.
     */
    private void startRegionAp(Jar registryJar) throws IOException {
        out.println("psip-local: registered " + RegisterSchemas.register(ports.registryUrl()).size()
                + " schemas centrally for the read-only registry of ap");
        new TopicCreator(ports.kafkaBootstrap()).create(Topics.configurationTopics().stream().map(Topic::name).toList());
        Path properties = MirrorMaker2.writeProperties(ports.kafkaBootstrap(), ports.kafkaApBootstrap(),
                dataDir.resolve("mirror-maker"));
        start(mirror, "mirror-maker", ChildJvm.onLauncherClassPath(agentJar, Profile.MIRROR, gcLog("mirror-maker"),
                MirrorMaker2.MAIN_CLASS, List.of(properties.toString())),
                Readiness.topic(ports.kafkaApBootstrap(), SCHEMAS_TOPIC));
        start(registry, "schema-registry-ap", ChildJvm.bootJar(agentJar, Profile.REGISTRY, gcLog("schema-registry-ap"),
                cds.launch(registryJar), List.of("--port=" + ports.registryAp(),
                        "--bootstrap-servers=" + ports.kafkaApBootstrap(), "--bind-address=127.0.0.1", "--read-only")),
                Readiness.http(ports.registryAp()).and(Readiness.schemas(ports.registryApUrl(), SchemaCatalog.current())));
        awaitReady(List.of(mirror.get(0), registry.get(registry.size() - 1)));
    }

    private void startPostgres() {
        List<String> command = ChildJvm.onLauncherClassPath(agentJar, Profile.POSTGRES, gcLog("postgres"),
                PostgresServer.class.getName(),
                List.of(Integer.toString(ports.postgres()), dataDir.resolve("postgres").toString()));
        start(postgres, "postgres", command, Readiness.postgres(ports.jdbcUrl()));
    }

    private void startRegistry(Jar jar) {
        start(registry, "schema-registry", ChildJvm.bootJar(agentJar, Profile.REGISTRY, gcLog("schema-registry"),
                cds.launch(jar), List.of("--port=" + ports.registry(), "--bootstrap-servers=" + ports.kafkaBootstrap(),
                        "--bind-address=127.0.0.1")),
                Readiness.http(ports.registry()));
    }

    private void startServices(List<Jar> jars) {
        List<String> central = serviceArgs(ports.kafkaBootstrap(), ports.registryUrl(), true);
        start(services, "provisioning-service", ChildJvm.bootJar(agentJar, Profile.PROVISIONING,
                gcLog("provisioning-service"), cds.launch(jars.get(0)), concat(central,
                "--server.port=" + ports.provisioning(),
                "--spring.datasource.url=" + ports.jdbcUrl(),
                "--spring.datasource.username=postgres",
                "--spring.datasource.password=postgres",
                "--psip.bootstrap-account.api-key=" + API_KEY,
                "--psip.bootstrap-account.api-secret=" + API_SECRET,
                "--psip.base-domain=" + BASE_DOMAIN,
                "--psip.api.cors.allowed-origins=" + ports.consoleUrl(),
                "--psip.secrets.key-file=" + secrets.platformKey())), Readiness.http(ports.provisioning()));
        startWebhook("webhook-service", central, ports.webhook(), jars.get(1));
        if (options.regionalClusters()) {
            startWebhook("webhook-ap", regionArgs(Region.AP), ports.webhookAp(), jars.get(1));
        }
        // the same PostgreSQL server as provisioning, in a schema of its own (voice, Flyway-managed)
        start(services, "voice-service", ChildJvm.bootJar(agentJar, Profile.VOICE, gcLog("voice-service"),
                cds.launch(jars.get(3)), concat(central,
                "--server.port=" + ports.voice(),
                "--spring.datasource.url=" + ports.jdbcUrl(),
                "--spring.datasource.username=postgres",
                "--spring.datasource.password=postgres")), Readiness.http(ports.voice()));
        // no Kafka, no database: the console's pages talk to provisioning from the browser
        start(services, "console", ChildJvm.bootJar(agentJar, Profile.CONSOLE, gcLog("console"), cds.launch(jars.get(4)),
                List.of("--server.port=" + ports.console(), "--server.address=127.0.0.1",
                        "--psip.console.api-url=http://127.0.0.1:" + ports.provisioning())), Readiness.http(ports.console()));
        for (Region region : Region.values()) {
            String name = "routing-" + region.id();
            start(services, name, ChildJvm.bootJar(agentJar, Profile.ROUTING, gcLog(name), cds.launch(jars.get(2)),
                    concat(regionArgs(region),
                    "--server.port=" + ports.routingHttp(region),
                    "--psip.region=" + region.id(),
                    "--psip.instance-id=routing-" + region.id() + "-1",
                    "--psip.base-domain=" + BASE_DOMAIN,
                    "--psip.sip.bind-address=127.0.0.1",
                    "--psip.sip.port=" + ports.sip(region),
                    "--psip.sip.tls-port=" + ports.sipTls(region),
                    "--psip.sip.tls.key-store=" + secrets.keyStore(),
                    "--psip.sip.tls.key-store-password=" + LocalSecrets.KEY_STORE_PASSWORD,
                    "--psip.sip.tls.key-store-type=" + LocalSecrets.KEY_STORE_TYPE,
                    "--psip.secrets.key-file=" + secrets.platformKey(),
                    "--psip.calls.digest-secret-file=" + secrets.digestKey(region),
                    // Test far ends run on 127.0.0.1; the platform's own ports there stay refused (no loops).
                    "--psip.sip.outbound.allow=127.0.0.1/32",
                    "--psip.sip.outbound.platform-ports=" + ports.allTcpList())),
                    Readiness.http(ports.routingHttp(region)).and(Readiness.tls(ports.sipTls(region), secrets.keyStore(),
                            LocalSecrets.KEY_STORE_PASSWORD)));
        }
    }

    private void startWebhook(String name, List<String> clusterArgs, int port, Jar jar) {
        start(services, name, ChildJvm.bootJar(agentJar, Profile.WEBHOOK, gcLog(name), cds.launch(jar),
                concat(clusterArgs, "--server.port=" + port,
                "--psip.secrets.key-file=" + secrets.platformKey(),
                // Test customers run on 127.0.0.1; the platform's own ports there stay refused.
                "--psip.webhook.http.allow=127.0.0.1/32",
                "--psip.webhook.http.platform-ports=" + ports.allTcpList())),
                Readiness.http(port));
    }

    /** The cluster a region's services use: ap's own with --regional-clusters, else the central one. */
    private List<String> regionArgs(Region region) {
        return options.regionalClusters() && region == Region.AP
                ? serviceArgs(ports.kafkaApBootstrap(), ports.registryApUrl(), false)
                : serviceArgs(ports.kafkaBootstrap(), ports.registryUrl(), true);
    }

    /** {@code autoRegister} false: the registry is a read-only follower; producers look their schemas up. */
    private static List<String> serviceArgs(String bootstrap, String registryUrl, boolean autoRegister) {
        List<String> args = new ArrayList<>(List.of(
                "--psip.kafka.bootstrap-servers=" + bootstrap,
                "--psip.schema-registry.url=" + registryUrl,
                // HTTP only on loopback: the APIs and actuators are not for the network
                "--server.address=127.0.0.1",
                "--psip.operator.username=" + OPERATOR_USERNAME,
                "--psip.operator.password=" + OPERATOR_PASSWORD));
        if (!autoRegister) {
            args.add("--psip.schema-registry.auto-register=false");
        }
        return args;
    }

    private void start(List<Child> group, String name, List<String> command, Readiness readiness) {
        synchronized (lifecycle) {
            if (stopping) {
                throw new StartupFailure("stopped while starting");
            }
            Child child = Child.start(name, command, dataDir.resolve("logs/" + name + ".log"), readiness);
            group.add(child);
            try {
                Files.writeString(pidsFile(), child.pid() + " " + name + System.lineSeparator(), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Polls every child of the group until all are ready; fails on an early exit or after the timeout. */
    private void awaitReady(List<Child> group) {
        List<Child> pending = new ArrayList<>(group);
        while (!pending.isEmpty()) {
            for (Child child : List.copyOf(pending)) {
                if (child.probe()) {
                    pending.remove(child);
                    out.printf(Locale.ROOT, "psip-local: %-20s ready after %.1f s%n", child.name(), seconds(child.age()));
                } else if (!child.alive()) {
                    throw failure(child, "exited with code " + child.exitCode() + " before it was ready");
                } else if (child.loggedStartFailure()) {
                    throw failure(child, "failed to start");
                } else if (child.age().compareTo(READY_TIMEOUT) > 0) {
                    throw failure(child, "was not ready after " + READY_TIMEOUT.toSeconds() + " s");
                }
            }
            if (stopping) {
                throw new StartupFailure("stopped while starting");
            }
            if (!pending.isEmpty()) {
                pause(Duration.ofMillis(250));
            }
        }
    }

    /** While the platform runs: a child that exits on its own takes the platform down with it. */
    private int watch() {
        while (!stopping) {
            for (Child child : allChildren()) {
                if (!child.alive() && !stopping) {
                    err.println("psip-local: " + describe(child, "exited with code " + child.exitCode()));
                    return 1;
                }
            }
            pause(Duration.ofSeconds(1));
        }
        return 0;
    }

    private void printEndpoints(Duration took) {
        String sep = System.lineSeparator();
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%n  %-22s %s%n", "Kafka bootstrap", ports.kafkaBootstrap()));
        text.append(String.format(Locale.ROOT, "  %-22s %s%n", "Schema registry", ports.registryUrl()));
        text.append(String.format(Locale.ROOT, "  %-22s %s (user postgres, password postgres)%n", "PostgreSQL", ports.jdbcUrl()));
        text.append(String.format(Locale.ROOT, "  %-22s http://127.0.0.1:%d%n", "Provisioning API", ports.provisioning()));
        text.append(String.format(Locale.ROOT, "  %-22s http://127.0.0.1:%d%n", "Webhook service", ports.webhook()));
        text.append(String.format(Locale.ROOT, "  %-22s %s/ (sign in with an API key and secret)%n", "Web console",
                ports.consoleUrl()));
        text.append(String.format(Locale.ROOT, "  %-22s http://127.0.0.1:%d/v1/calls (Bearer JWT of an application)%n",
                "Voice API", ports.voice()));
        if (options.regionalClusters()) {
            text.append(String.format(Locale.ROOT, "  %-22s %s (MirrorMaker 2 copies %s from the central cluster)%n",
                    "Kafka bootstrap ap", ports.kafkaApBootstrap(), MirrorMaker2.TOPICS.replace("\\", "")));
            text.append(String.format(Locale.ROOT, "  %-22s %s (read-only, follows the mirrored _schemas)%n",
                    "Schema registry ap", ports.registryApUrl()));
            text.append(String.format(Locale.ROOT, "  %-22s http://127.0.0.1:%d (ap's call events and commands)%n",
                    "Webhook service ap", ports.webhookAp()));
        }
        for (Region region : Region.values()) {
            text.append(String.format(Locale.ROOT,
                    "  %-22s SIP 127.0.0.1:%d (UDP, TCP), TLS 127.0.0.1:%d, HTTP http://127.0.0.1:%d, domains <name>.sip-%s.%s%n",
                    "Routing " + region.id(), ports.sip(region), ports.sipTls(region), ports.routingHttp(region),
                    region.id(), BASE_DOMAIN));
        }
        text.append(String.format(Locale.ROOT,
                "  %-22s sip:<number>@sip.%s on any routing SIP port, digest with the API key and secret%n",
                "SIP Connect", BASE_DOMAIN));
        text.append(String.format(Locale.ROOT, "  %-22s %s%n", "Bootstrap API key", API_KEY));
        text.append(String.format(Locale.ROOT, "  %-22s %s%n", "Bootstrap API secret", API_SECRET));
        text.append(String.format(Locale.ROOT, "  %-22s %s / %s%n", "Operator credential", OPERATOR_USERNAME, OPERATOR_PASSWORD));
        text.append(String.format(Locale.ROOT, "  %-22s %s (self-signed, CN=sip.%s)%n", "SIP TLS certificate", secrets.keyStore(), BASE_DOMAIN));
        text.append(String.format(Locale.ROOT, "  %-22s %s%n", "Data and logs", dataDir));
        text.append(String.format(Locale.ROOT, "%nstarted in %.1f s; Ctrl-C stops everything%n", seconds(took)));
        text.append(READY_LINE).append(sep);
        out.print(text);
        out.flush();
    }

    private StartupFailure failure(Child child, String what) {
        return new StartupFailure(describe(child, what));
    }

    private static String describe(Child child, String what) {
        return child.name() + " " + what + "; last lines of " + child.log() + ":" + System.lineSeparator()
                + child.tail(TAIL_LINES);
    }

    private List<Child> allChildren() {
        List<Child> all = new ArrayList<>(postgres);
        all.addAll(kafka);
        all.addAll(registry);
        all.addAll(mirror);
        all.addAll(services);
        return all;
    }

    /** Beside the child's log: a long pause is the first thing to rule out when a service misbehaves under load. */
    private Path gcLog(String child) {
        return dataDir.resolve("logs/" + child + "-gc.log");
    }

    private Path pidsFile() {
        return dataDir.resolve("run/children.pids");
    }

    private static List<String> concat(List<String> head, String... more) {
        List<String> all = new ArrayList<>(head);
        all.addAll(List.of(more));
        return all;
    }

    private static <T> List<T> concat(List<T> head, List<T> tail) {
        List<T> all = new ArrayList<>(head);
        all.addAll(tail);
        return all;
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static void pause(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupFailure("interrupted");
        }
    }

    /** Deletes a file or directory tree; nothing when it does not exist. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static String readVersion() {
        try (InputStream in = LocalPlatform.class.getResourceAsStream("/psip-local.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("psip-local.properties missing from the launcher jar", e);
        }
    }

    /** Startup could not complete; the message says which child and why. */
    static final class StartupFailure extends RuntimeException {
        StartupFailure(String message) {
            super(message);
        }
    }
}
