package io.psip.voice.auth;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The token ids ({@code jti}) already used, each held until its token expires: after that the token is refused for
 * its {@code exp} anyway, so the id need not be remembered. Bounded: with {@code capacity} unexpired ids held a new
 * one is refused instead of evicting one still live, which would let its replay through.
 *
 * <p>One instance's memory: with several voice-service instances behind a balancer a token replayed to another
 * instance would pass. Running more than one needs a shared store with an atomic insert-if-absent and a TTL (a
 * PostgreSQL table keyed by jti with a periodic purge of expired rows, or Redis {@code SET NX PX}) behind this
 * class's {@link #firstUse} contract; until then run one instance, or route by token.
 */
public class ReplayGuard {

    private record Used(String jti, Instant expires) {
    }

    private final int capacity;
    private final Map<String, Instant> used = new HashMap<>();
    private final PriorityQueue<Used> byExpiry = new PriorityQueue<>((a, b) -> a.expires().compareTo(b.expires()));

    public ReplayGuard(int capacity) {
        this.capacity = capacity;
    }

    /**
     * Records {@code jti} as used until {@code expires}; false if it was used already.
     *
     * @throws TokenRefused (unavailable) when the guard holds {@code capacity} unexpired ids
     */
    public synchronized boolean firstUse(String jti, Instant expires, Instant now) throws TokenRefused {
        while (!byExpiry.isEmpty() && !byExpiry.peek().expires().isAfter(now)) {
            used.remove(byExpiry.poll().jti());
        }
        if (used.containsKey(jti)) {
            return false;
        }
        if (used.size() >= capacity) {
            throw new TokenRefused("too many tokens in use; retry with a token later", true);
        }
        used.put(jti, expires);
        byExpiry.add(new Used(jti, expires));
        return true;
    }

    public synchronized int size() {
        return used.size();
    }
}
