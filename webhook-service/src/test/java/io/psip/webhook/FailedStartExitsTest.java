package io.psip.webhook;

import io.psip.testsupport.TestKafka;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A start that fails (here: the HTTP port is taken) must end the JVM with a non-zero status, as {@code java -jar}
 * runs it, instead of leaving a process that serves nothing. Runs the application in a child JVM.
 */
class FailedStartExitsTest {

    @Test
    void theProcessExitsNonZeroWhenTheHttpPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Path log = Files.createTempFile("webhook-failed-start", ".log");
            Process child = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                    "-cp", System.getProperty("java.class.path"), WebhookApplication.class.getName(),
                    "--server.port=" + taken.getLocalPort(),
                    "--psip.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                    "--psip.schema-registry.url=" + TestKafka.registryUrl()))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                boolean exited = child.waitFor(120, TimeUnit.SECONDS);
                assertThat(exited).as("child exited; log in %s", log).isTrue();
                assertThat(child.exitValue()).isNotZero();
                assertThat(Files.readString(log)).contains("already in use");
            } finally {
                child.destroyForcibly();
            }
        }
    }
}
