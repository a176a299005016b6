package io.psip.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher with real Kafka and PostgreSQL children and stand-in service jars. */
class LocalPlatformTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void startsEveryChildInOrderPrintsEndpointsAndReadyLineThenStopsThemAll() throws Exception {
        FakeServices.writeProject(dir.resolve("project"), FakeServices.Ready.class, FakeServices.Ready.class,
                FakeServices.Ready.class, FakeServices.Ready.class);
        Ports ports = TestPorts.free();
        Path data = dir.resolve("data");
        LocalPlatform platform = platform(data, ports);

        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(platform::run);
        await("ready line").atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(250))
                .failFast("launcher ended: " + err, run::isDone)
                .until(() -> output().contains(LocalPlatform.READY_LINE));

        String output = output();
        assertThat(output).contains("Bootstrap API key      psiplocal", "Bootstrap API secret   psiplocalsecret",
                "http://127.0.0.1:" + ports.provisioning(), "SIP 127.0.0.1:" + ports.sip(Ports.Region.EU));
        assertThat(output.indexOf("kafka ")).isLessThan(output.indexOf("schema-registry "));
        assertThat(output.indexOf("postgres ")).isLessThan(output.indexOf("schema-registry "));
        assertThat(output.indexOf("schema-registry ")).isLessThan(output.indexOf("provisioning-service "))
                .isLessThan(output.indexOf("routing-ap "));
        assertThat(output.lines()).contains(LocalPlatform.READY_LINE);
        assertThat(Files.readString(data.resolve("logs/routing-eu.log"))).contains(
                "--psip.region=eu", "--psip.instance-id=routing-eu-1", "--psip.sip.port=" + ports.sip(Ports.Region.EU),
                "--psip.sip.tls-port=" + ports.sipTls(Ports.Region.EU), "--server.port=" + ports.routingHttp(Ports.Region.EU),
                "--psip.sip.outbound.allow=127.0.0.1/32", "--psip.sip.outbound.platform-ports=" + ports.allTcpList(),
                "--psip.kafka.bootstrap-servers=" + ports.kafkaBootstrap(), "--psip.schema-registry.url=" + ports.registryUrl());
        assertThat(Files.readString(data.resolve("logs/provisioning-service.log"))).contains(
                "--spring.datasource.url=" + ports.jdbcUrl(), "--psip.bootstrap-account.api-key=psiplocal",
                "--psip.secrets.key-file=" + data.resolve("secrets/platform.key"));
        // issue 9: webhook-service opens the accounts' signature secrets with the same key
        assertThat(Files.readString(data.resolve("logs/webhook-service.log"))).contains(
                "--psip.secrets.key-file=" + data.resolve("secrets/platform.key"));
        // issue 7: HTTP on loopback only, the operator credential, routing's keys and its TLS certificate
        assertThat(Files.readString(data.resolve("logs/voice-service.log"))).contains(
                "--server.port=" + ports.voice(), "--spring.datasource.url=" + ports.jdbcUrl());
        assertThat(output).contains("Voice API", "http://127.0.0.1:" + ports.voice() + "/v1/calls");
        // issue 11: the console, and provisioning allowing its origin
        assertThat(output).contains("Web console", "http://127.0.0.1:" + ports.console() + "/");
        assertThat(Files.readString(data.resolve("logs/console.log"))).contains("--server.port=" + ports.console(),
                "--server.address=127.0.0.1", "--psip.console.api-url=http://127.0.0.1:" + ports.provisioning());
        assertThat(Files.readString(data.resolve("logs/provisioning-service.log"))).contains(
                "--psip.api.cors.allowed-origins=http://127.0.0.1:" + ports.console());
        for (String service : List.of("provisioning-service", "webhook-service", "voice-service", "routing-us")) {
            assertThat(Files.readString(data.resolve("logs/" + service + ".log"))).as(service).contains(
                    "--server.address=127.0.0.1", "--psip.operator.username=operator",
                    "--psip.operator.password=psiplocaloperator");
        }
        assertThat(Files.readString(data.resolve("logs/routing-eu.log"))).contains(
                "--psip.secrets.key-file=" + data.resolve("secrets/platform.key"),
                "--psip.calls.digest-secret-file=" + data.resolve("secrets/digest-eu.key"),
                "--psip.sip.tls.key-store=" + data.resolve("tls/sip.p12"), "--psip.sip.tls.key-store-type=PKCS12");
        assertThat(Files.readString(data.resolve("logs/schema-registry.log"))).contains("--bind-address=127.0.0.1");
        assertThat(output).contains("TLS 127.0.0.1:" + ports.sipTls(Ports.Region.AP), "Operator credential");
        List<ProcessHandle> children = children(data);
        assertThat(children).hasSize(10).allMatch(ProcessHandle::isAlive);

        platform.stop();

        assertThat(run.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(children).noneMatch(ProcessHandle::isAlive);
        assertThat(data.resolve("postgres/postmaster.pid")).doesNotExist();
        assertThat(processesUsing(data)).isEmpty();
    }

    @Test
    void childExitingBeforeItIsReadyIsNamedWithItsLogTailAndEverythingStops() throws Exception {
        FakeServices.writeProject(dir.resolve("project"), FakeServices.Ready.class, FakeServices.Ready.class,
                FakeServices.Failing.class, FakeServices.Ready.class);
        Path data = dir.resolve("data");
        LocalPlatform platform = platform(data, TestPorts.free());

        int code = platform.run();

        assertThat(code).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("webhook-service exited with code 3 before it was ready",
                "boom: cannot reach the database");
        assertThat(output()).doesNotContain(LocalPlatform.READY_LINE).contains("stopped");
        assertThat(data.resolve("postgres/postmaster.pid")).doesNotExist();
        assertThat(processesUsing(data)).isEmpty();
    }

    @Test
    void refusesToStartWhenJarsAreMissingOrTheDataDirectoryIsInUse() throws Exception {
        Path data = dir.resolve("data");
        assertThat(platform(data, new Ports(0)).run()).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("missing jars",
                "schema-registry-0.1.0-SNAPSHOT-exec.jar", "routing-service-0.1.0-SNAPSHOT.jar");

        FakeServices.writeProject(dir.resolve("project"), FakeServices.Ready.class, FakeServices.Ready.class,
                FakeServices.Ready.class, FakeServices.Ready.class);
        Files.createDirectories(data);
        try (FileChannel held = FileChannel.open(data.resolve("launcher.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             var lock = held.lock()) {
            assertThat(platform(data, new Ports(0)).run()).isEqualTo(1);
        }
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("another psip-local is already running on " + data);
    }

    private LocalPlatform platform(Path data, Ports ports) {
        Options options = new Options(data, false, ports.offset(), dir.resolve("project"), false, false);
        return new LocalPlatform(options, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String output() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Every process whose command line names the data directory: child JVMs and the postmaster. */
    private static List<String> processesUsing(Path data) {
        return ProcessHandle.allProcesses()
                .map(p -> p.info().commandLine().orElse(""))
                .filter(commandLine -> commandLine.contains(data.toString()))
                .toList();
    }

    private static List<ProcessHandle> children(Path data) throws Exception {
        return Files.readAllLines(data.resolve("run/children.pids")).stream()
                .map(line -> ProcessHandle.of(Long.parseLong(line.split(" ")[0])).orElseThrow())
                .toList();
    }
}
