package io.psip.routing.sip;

import io.psip.routing.call.Call;
import io.psip.routing.call.ActiveCalls;
import io.psip.routing.call.CallLifetime;
import io.psip.routing.call.RegisteredUsers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class CallRegistryTest {

    private final CallRegistry registry = new CallRegistry(1, 1);

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void aCallTimerFiresOnItsLaneEvenWhenTheLaneIsFull() throws Exception {
        B2buaCall call = call("call-1");
        CountDownLatch busy = fillTheLane(call);


        AtomicBoolean fired = new AtomicBoolean();
        AtomicReference<String> threadName = new AtomicReference<>();
        ScheduledFuture<?> timer = registry.schedule(call, Duration.ofMillis(20), () -> {
            threadName.set(Thread.currentThread().getName());
            fired.set(true);
        });
        // The timer went off and was handed to the lane while the lane was still full.
        await().atMost(Duration.ofSeconds(5)).until(timer::isDone);
        assertThat(fired).isFalse();
        busy.countDown();

        await().atMost(Duration.ofSeconds(5)).untilTrue(fired);
        assertThat(threadName.get()).startsWith("sip-lane-");
    }

    @Test
    void aRequestOfAHeldCallIsQueuedOnAFullLaneAndOneForNoCallIsNot() throws Exception {
        B2buaCall call = call("call-2");
        registry.add(call);
        CountDownLatch busy = fillTheLane(call);

        AtomicBoolean byeHandled = new AtomicBoolean();
        assertThat(registry.runFor("call-2", () -> byeHandled.set(true))).isTrue();
        // One lane: a Call-ID of no call lands on the same full lane, and is refused there.
        assertThat(registry.runFor("no-such-call", () -> { })).isFalse();
        busy.countDown();
        await().atMost(Duration.ofSeconds(5)).untilTrue(byeHandled);
    }

    private B2buaCall call(String callId) {
        return new B2buaCall(new B2buaCall.Services(null, registry, e -> { }, null, Duration.ofSeconds(10), null,
                new CallLifetime(Duration.ofHours(2), Duration.ofSeconds(90)), ActiveCalls.NONE,
                RegisteredUsers.NONE),
                new Call(new Call.CallOrigin("us", "test"), "acme", "acct", "app", "alice", "123", null, callId, Map.of(),
                        Clock.systemUTC()), null, null);
    }

    /** Blocks the registry's one lane with a task and fills its one queued place; count down the latch to free it. */
    private CountDownLatch fillTheLane(B2buaCall call) throws InterruptedException {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch blocking = new CountDownLatch(1);
        assertThat(registry.run(call, () -> {
            blocking.countDown();
            try {
                busy.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })).isTrue();
        blocking.await();
        assertThat(registry.run(call, () -> { })).isTrue(); // the one queued place
        assertThat(registry.run(call, () -> { })).as("the lane is full for new work").isFalse();
        return busy;
    }

}
