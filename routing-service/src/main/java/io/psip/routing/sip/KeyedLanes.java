package io.psip.routing.sip;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Worker lanes that take call work off the single SIP thread. Work for one key (a call) always runs on the same
 * lane, in submission order, so a call's state needs no locks. Queues are bounded for new work: when a lane is full
 * the work is refused and the caller answers 503 instead of queueing without limit. What must happen to a call that
 * exists (its timers, the stack's timeouts) is queued even on a full lane: it is bounded by the calls held, and
 * dropping it would leave a call that never ends.
 */
final class KeyedLanes implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KeyedLanes.class);

    private final ThreadPoolExecutor[] lanes;
    private final int queueCapacity;

    KeyedLanes(int count, int queueCapacity) {
        this.queueCapacity = queueCapacity;
        lanes = new ThreadPoolExecutor[count];
        AtomicInteger ids = new AtomicInteger();
        for (int i = 0; i < count; i++) {
            lanes[i] = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                    r -> {
                        Thread t = new Thread(r, "sip-lane-" + ids.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
        }
    }

    /** Queues {@code task} on the lane of {@code key}; false when that lane is full or closed. */
    boolean execute(String key, Runnable task) {
        ThreadPoolExecutor lane = lane(key);
        // The bound is checked, not enforced by the queue, so that executeAlways can pass it; racing submitters
        // may overshoot it by a few tasks, which is harmless.
        return lane.getQueue().size() < queueCapacity && submit(lane, task);
    }

    /** Queues {@code task} on the lane of {@code key} however full it is; false only when the lanes are closed. */
    boolean executeAlways(String key, Runnable task) {
        return submit(lane(key), task);
    }

    private ThreadPoolExecutor lane(String key) {
        return lanes[Math.floorMod(key.hashCode(), lanes.length)];
    }

    private static boolean submit(ThreadPoolExecutor lane, Runnable task) {
        try {
            lane.execute(new Queued(task, System.nanoTime()));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** How long the oldest task still queued on any lane has waited, in milliseconds (0 when none waits). */
    long oldestWaitMillis() {
        long now = System.nanoTime();
        long oldest = 0;
        for (ThreadPoolExecutor lane : lanes) {
            if (lane.getQueue().peek() instanceof Queued head) {
                oldest = Math.max(oldest, now - head.queuedAt);
            }
        }
        return TimeUnit.NANOSECONDS.toMillis(oldest);
    }

    /** A task and when it was queued: the head of a lane's queue tells that lane's delay. */
    private record Queued(Runnable task, long queuedAt) implements Runnable {
        @Override
        public void run() {
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                log.error("call work failed", e);
            }
        }
    }

    @Override
    public void close() {
        for (ThreadPoolExecutor lane : lanes) {
            lane.shutdown();
        }
        for (ThreadPoolExecutor lane : lanes) {
            try {
                lane.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
