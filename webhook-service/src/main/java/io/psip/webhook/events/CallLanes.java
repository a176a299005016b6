package io.psip.webhook.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * One ordered queue per call: a task starts only when the previous task of the same call has completed (including
 * its asynchronous part), while different calls run in parallel on a shared executor. A lane disappears when it
 * runs empty, so idle calls cost nothing.
 */
public class CallLanes {

    private static final Logger log = LoggerFactory.getLogger(CallLanes.class);

    private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();
    private final Executor executor;

    public CallLanes(Executor executor) {
        this.executor = executor;
    }

    /** Queues {@code task} behind the call's earlier tasks; a failed task does not stop the ones after it. */
    public CompletableFuture<Void> submit(String callUuid, Supplier<? extends CompletableFuture<?>> task) {
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] queued = new CompletableFuture[1];
        tails.compute(callUuid, (uuid, tail) -> {
            CompletableFuture<Void> previous = tail == null ? CompletableFuture.completedFuture(null) : tail;
            queued[0] = previous.thenComposeAsync(ignored -> run(uuid, task), executor);
            return queued[0];
        });
        queued[0].whenComplete((ignored, error) -> tails.remove(callUuid, queued[0]));
        return queued[0];
    }

    /** Waits until no call has queued or running work, or {@code timeout} has passed; true if idle. */
    public boolean awaitIdle(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (!tails.isEmpty()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                CompletableFuture.allOf(tails.values().toArray(CompletableFuture[]::new))
                        .get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException e) {
                // a lane's failure is logged by the lane; only its end matters here
            }
        }
        return true;
    }

    /** Calls with queued or running work. */
    public int activeCalls() {
        return tails.size();
    }

    private static CompletableFuture<Void> run(String callUuid, Supplier<? extends CompletableFuture<?>> task) {
        try (var ignored = MDC.putCloseable("call_uuid", callUuid)) {
            return task.get().handle((result, error) -> {
                if (error != null) {
                    logFailure(callUuid, error);
                }
                return null;
            });
        } catch (RuntimeException e) {
            logFailure(callUuid, e);
            return CompletableFuture.completedFuture(null);
        }
    }

    private static void logFailure(String callUuid, Throwable error) {
        try (var ignored = MDC.putCloseable("call_uuid", callUuid)) {
            log.error("call task failed", error);
        }
    }
}
