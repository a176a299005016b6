package io.psip.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildTest {

    @TempDir
    Path dir;

    @Test
    void aStartFailureLoggedByAChildThatStaysAliveIsNoticedAndTheChildCanBeStopped() {
        Child child = Child.start("webhook-service", List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FakeServices.FailedButAlive.class.getName()),
                dir.resolve("logs/webhook-service.log"), () -> false);
        try {
            await().atMost(Duration.ofSeconds(30)).until(child::loggedStartFailure);
            assertThat(child.alive()).isTrue();
            assertThat(child.probe()).isFalse();
            assertThat(child.tail(2)).endsWith("APPLICATION FAILED TO START" + System.lineSeparator() + "*".repeat(27));
        } finally {
            child.terminate();
            child.awaitExit(System.nanoTime() + Duration.ofSeconds(10).toNanos());
        }
        assertThat(child.alive()).isFalse();
    }

    @Test
    void eachRunWritesAFreshLogAndKeepsThePreviousOne() throws Exception {
        Path log = dir.resolve("logs/kafka.log");
        Child first = Child.start("kafka", List.of("sh", "-c", "echo first run"), log, () -> true);
        first.awaitExit(System.nanoTime() + Duration.ofSeconds(10).toNanos());
        Child second = Child.start("kafka", List.of("sh", "-c", "echo second run"), log, () -> true);
        second.awaitExit(System.nanoTime() + Duration.ofSeconds(10).toNanos());

        assertThat(second.exitCode()).isZero();
        assertThat(second.probe()).isTrue();
        assertThat(Files.readString(log)).contains("second run").doesNotContain("first run");
        assertThat(Files.readString(log.resolveSibling("kafka.log.1"))).contains("first run");
        assertThat(second.loggedStartFailure()).isFalse();
    }
}
