package io.psip.webhook.events;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class CallLanesTest {

    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final CallLanes lanes = new CallLanes(executor);

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    @Test
    void aTaskWaitsForTheAsynchronousEndOfTheCallsPreviousTask() {
        List<String> done = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> slow = new CompletableFuture<>();
        lanes.submit("call-a", () -> slow.thenRun(() -> done.add("a1")));
        lanes.submit("call-a", () -> CompletableFuture.runAsync(() -> done.add("a2")));
        lanes.submit("call-b", () -> CompletableFuture.runAsync(() -> done.add("b1")));

        await().until(() -> done.contains("b1"));
        assertThat(done).containsExactly("b1");

        slow.complete(null);
        await().until(() -> done.size() == 3);
        assertThat(done).containsExactly("b1", "a1", "a2");
        await().until(() -> lanes.activeCalls() == 0);
    }

    @Test
    void aFailedTaskDoesNotStopTheLane() {
        List<String> done = new CopyOnWriteArrayList<>();
        lanes.submit("call-c", () -> CompletableFuture.failedFuture(new IllegalStateException("boom")));
        lanes.submit("call-c", () -> {
            throw new IllegalStateException("thrown");
        });
        CompletableFuture<Void> last = lanes.submit("call-c", () -> CompletableFuture.runAsync(() -> done.add("c3")));

        last.join();
        assertThat(done).containsExactly("c3");
    }

    @Test
    void awaitIdleWaitsForQueuedWorkAndGivesUpAtItsTimeout() {
        CompletableFuture<Void> slow = new CompletableFuture<>();
        lanes.submit("call-d", () -> slow);

        assertThat(lanes.awaitIdle(Duration.ofMillis(50))).isFalse();
        CompletableFuture.runAsync(() -> slow.complete(null), executor);
        assertThat(lanes.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(lanes.activeCalls()).isZero();
    }
}
