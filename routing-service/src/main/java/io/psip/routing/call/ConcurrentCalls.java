package io.psip.routing.call;

import java.util.concurrent.ConcurrentHashMap;

/** Live calls per domain at this instance, so a domain's max_concurrent_calls can be enforced with 503. */
public final class ConcurrentCalls {

    private final ConcurrentHashMap<String, Integer> active = new ConcurrentHashMap<>();

    /** Counts one more call for {@code domain} unless that would exceed {@code limit} (null = unlimited). */
    public boolean tryAcquire(String domain, Integer limit) {
        boolean[] acquired = {false};
        active.compute(domain, (d, n) -> {
            int current = n == null ? 0 : n;
            if (limit != null && current >= limit) {
                return n;
            }
            acquired[0] = true;
            return current + 1;
        });
        return acquired[0];
    }

    public void release(String domain) {
        active.computeIfPresent(domain, (d, n) -> n <= 1 ? null : n - 1);
    }

    /** Live calls across all domains. */
    public int total() {
        return active.values().stream().mapToInt(Integer::intValue).sum();
    }
}
