package io.psip.web;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per source for Basic-auth attempts, so that wrong secrets cannot burn bcrypt CPU. An attempt
 * takes a token before the credential is checked and gives it back when the check succeeds: only failures use
 * the budget, and no source has more than {@code burst} checks in flight. Memory is bounded: at most
 * {@code maxSources} buckets; when they are all in use, buckets that have refilled (idle sources) are dropped,
 * and if none has, new sources share one overflow bucket, so a spray from many addresses is still bounded.
 */
public final class FailedAuthLimiter {

    private final int burst;
    private final long refillNanos;
    private final int maxSources;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Bucket overflow;
    private volatile long lastSweep;

    public FailedAuthLimiter(int burst, Duration refillPeriod, int maxSources, LongSupplier nanoClock) {
        if (burst < 1 || refillPeriod.isNegative() || refillPeriod.isZero() || maxSources < 1) {
            throw new IllegalArgumentException("psip.auth-failures needs burst >= 1, refill-period > 0, max-sources >= 1");
        }
        this.burst = burst;
        this.refillNanos = refillPeriod.toNanos();
        this.maxSources = maxSources;
        this.nanoClock = nanoClock;
        long now = nanoClock.getAsLong();
        this.overflow = new Bucket(burst, now);
        this.lastSweep = now;
    }

    /** A taken token: give it back with {@link #succeeded()} unless the check failed. */
    public interface Attempt {
        void succeeded();
    }

    /** Takes a token for an attempt from {@code source}, or tells how long it must wait (then nothing is taken). */
    public sealed interface Admission permits Admitted, Refused {
    }

    public record Admitted(Attempt attempt) implements Admission {
    }

    public record Refused(Duration retryAfter) implements Admission {
    }

    public Admission tryAttempt(String source) {
        long now = nanoClock.getAsLong();
        Bucket bucket = bucketFor(source, now);
        long wait = bucket.take(now, burst, refillNanos);
        if (wait > 0) {
            return new Refused(Duration.ofNanos(wait));
        }
        return new Admitted(() -> bucket.giveBack(burst));
    }

    int trackedSources() {
        return buckets.size();
    }

    private Bucket bucketFor(String source, long now) {
        Bucket bucket = buckets.get(source);
        if (bucket != null) {
            return bucket;
        }
        if (buckets.size() >= maxSources) {
            sweep(now);
            if (buckets.size() >= maxSources) {
                return overflow;
            }
        }
        return buckets.computeIfAbsent(source, s -> new Bucket(burst, now));
    }

    /** Drops the buckets that are full again; at most once per refill period, so a full table costs no scan per attempt. */
    private void sweep(long now) {
        if (now - lastSweep < refillNanos) {
            return;
        }
        lastSweep = now;
        buckets.values().removeIf(b -> b.full(now, burst, refillNanos));
    }

    /**
     * The key of a remote address: the address itself for IPv4, its /64 for IPv6 (one host usually holds a whole
     * /64, so per-address buckets would be free to multiply). Never a header such as X-Forwarded-For.
     */
    public static String sourceOf(String remoteAddress) {
        try {
            InetAddress address = InetAddress.getByName(remoteAddress.startsWith("[")
                    ? remoteAddress.substring(1, remoteAddress.length() - 1) : remoteAddress);
            if (address instanceof Inet6Address) {
                byte[] prefix = new byte[16];
                System.arraycopy(address.getAddress(), 0, prefix, 0, 8);
                return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
            }
            return address.getHostAddress();
        } catch (UnknownHostException e) {
            // the servlet container gives a literal address, which never needs a lookup, so this is not expected
            return remoteAddress;
        }
    }

    private static final class Bucket {

        private double tokens;
        private long at;

        Bucket(int burst, long now) {
            this.tokens = burst;
            this.at = now;
        }

        /** Zero when a token was taken, otherwise the nanoseconds until one is there. */
        synchronized long take(long now, int burst, long refillNanos) {
            refill(now, burst, refillNanos);
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) ((1 - tokens) * refillNanos));
        }

        synchronized void giveBack(int burst) {
            tokens = Math.min(burst, tokens + 1);
        }

        synchronized boolean full(long now, int burst, long refillNanos) {
            refill(now, burst, refillNanos);
            return tokens >= burst;
        }

        private void refill(long now, int burst, long refillNanos) {
            tokens = Math.min(burst, tokens + (double) (now - at) / refillNanos);
            at = now;
        }
    }
}
