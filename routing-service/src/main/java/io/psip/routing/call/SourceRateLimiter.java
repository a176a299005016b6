package io.psip.routing.call;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A token bucket per source address (Kamailio's pike, in spirit): each source may send {@code rate} requests a
 * second on average and {@code burst} at once. The buckets live in a table of at most {@code maxSources}
 * entries, the least recently seen source evicted first, so a flood from spoofed addresses costs a fixed amount
 * of memory; an evicted source only comes back with a full bucket, so eviction can never lock a caller out.
 * Thread-safe (one UDP receive thread and the TCP/TLS connection threads share it); one short lock per request.
 */
public final class SourceRateLimiter {

    /** Settings; {@code rate} 0 turns the limit off. */
    public record Limits(double rate, int burst, int maxSources) {
    }

    private final double tokensPerNano;
    private final double burst;
    private final LongSupplier nanoTime;
    private final Map<InetAddress, Bucket> buckets;

    public SourceRateLimiter(Limits limits) {
        this(limits, System::nanoTime);
    }

    SourceRateLimiter(Limits limits, LongSupplier nanoTime) {
        this.tokensPerNano = limits.rate() / 1e9;
        this.burst = Math.max(1, limits.burst());
        this.nanoTime = nanoTime;
        int maxSources = limits.maxSources();
        this.buckets = new LinkedHashMap<>(Math.min(maxSources, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, Bucket> eldest) {
                return size() > maxSources;
            }
        };
    }

    public boolean enabled() {
        return tokensPerNano > 0;
    }

    /** Takes one token from the source's bucket; false when it is empty (the request is to be dropped). */
    public boolean tryAcquire(InetAddress source) {
        if (!enabled()) {
            return true;
        }
        long now = nanoTime.getAsLong();
        synchronized (buckets) {
            Bucket bucket = buckets.get(source);
            if (bucket == null) {
                buckets.put(source, new Bucket(burst - 1, now));
                return true;
            }
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.refilledAt) * tokensPerNano);
            bucket.refilledAt = now;
            if (bucket.tokens < 1) {
                return false;
            }
            bucket.tokens -= 1;
            return true;
        }
    }

    /** Sources with a bucket now (at most {@code maxSources}). */
    public int sources() {
        synchronized (buckets) {
            return buckets.size();
        }
    }

    private static final class Bucket {
        double tokens;
        long refilledAt;

        Bucket(double tokens, long refilledAt) {
            this.tokens = tokens;
            this.refilledAt = refilledAt;
        }
    }
}
