package io.psip.webhook.delivery;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with "equal jitter": the n-th wait is half of {@code min(max, initial * 2^(n-1))} plus a
 * random part up to the other half, so retries of many calls failing together at one customer spread out instead
 * of arriving in waves, while each wait still grows.
 */
public record Backoff(Duration initial, Duration max, DoubleSupplier random) {

    public Backoff(Duration initial, Duration max) {
        this(initial, max, () -> ThreadLocalRandom.current().nextDouble());
    }

    /** The wait after {@code failedAttempts} failures (1 for the first retry). */
    public Duration after(int failedAttempts) {
        long ceiling = Math.min(initial.toMillis() << Math.min(failedAttempts - 1, 20), max.toMillis());
        long half = ceiling / 2;
        return Duration.ofMillis(ceiling - half + (long) (random.getAsDouble() * half));
    }
}
