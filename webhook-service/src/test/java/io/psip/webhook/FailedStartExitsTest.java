package io.psip.webhook;

import io.psip.testsupport.ChildJvm;
import io.psip.testsupport.TestKafka;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
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
            ChildJvm child = ChildJvm.start(WebhookApplication.class, "--server.port=" + taken.getLocalPort(),
                    "--psip.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                    "--psip.schema-registry.url=" + TestKafka.registryUrl());
            try {
                assertThat(child.process().waitFor(120, TimeUnit.SECONDS)).as("exited; log in %s", child.log()).isTrue();
                assertThat(child.process().exitValue()).isNotZero();
                assertThat(child.output()).contains("already in use");
            } finally {
                child.process().destroyForcibly();
            }
        }
    }
}
