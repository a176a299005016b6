package io.psip.routing;

import io.psip.testsupport.ChildJvm;
import io.psip.testsupport.TestKafka;
import org.junit.jupiter.api.Test;

import java.net.DatagramSocket;
import java.net.InetAddress;
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
            ChildJvm child = ChildJvm.start(RoutingApplication.class, "--server.port=0",
                    "--psip.kafka.bootstrap-servers=" + TestKafka.bootstrapServers(),
                    "--psip.schema-registry.url=" + TestKafka.registryUrl(),
                    "--psip.sip.port=" + taken.getLocalPort());
            try {
                assertThat(child.process().waitFor(120, TimeUnit.SECONDS)).as("exited; log in %s", child.log()).isTrue();
                assertThat(child.process().exitValue()).isNotZero();
                assertThat(child.output()).contains("Address already in use");
            } finally {
                child.process().destroyForcibly();
            }
        }
    }
}
