package io.psip.routing;

import io.psip.testsupport.TestKafka;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A start that fails (here: the SIP port is taken) must end the JVM with a non-zero status, as {@code java -jar}
 * runs it, instead of leaving a process that serves nothing. Runs the application in a child JVM.
 */
class FailedStartExitsTest {

    @Test
    void theProcessExitsNonZeroWhenTheSipPortIsTaken() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Path log = Files.createTempFile("routing-failed-start", ".log");
            Process child = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                    "-cp", System.getProperty("java.class.path"), RoutingApplication.class.getName(),
                    "--server.port=0",
                    "--psip.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                    "--psip.schema-registry.url=" + TestKafka.registryUrl(),
                    "--psip.sip.port=" + taken.getLocalPort()))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                boolean exited = child.waitFor(120, TimeUnit.SECONDS);
                assertThat(exited).as("child exited; log in %s", log).isTrue();
                assertThat(child.exitValue()).isNotZero();
                assertThat(Files.readString(log)).contains("Address already in use");
            } finally {
                child.destroyForcibly();
            }
        }
    }
}
