package io.psip.routing.call;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Live calls per domain at this instance, so a domain's max_concurrent_calls can be enforced with 503. SIP Connect
 * calls (domain null) are counted too, so {@link #total()} knows every live call, but never limited.
 */
public final class ConcurrentCalls {

    /** Where SIP Connect calls are counted: no domain name has a slash. */
    private static final String SIP_CONNECT = "/sip-connect";

    private final ConcurrentHashMap<String, Integer> active = new ConcurrentHashMap<>();

    /** Counts one more call for {@code domain} unless that would exceed {@code limit} (null = unlimited). */
    public boolean tryAcquire(String domain, Integer limit) {
        boolean[] acquired = {false};
        active.compute(key(domain), (d, n) -> {
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
        active.computeIfPresent(key(domain), (d, n) -> n <= 1 ? null : n - 1);
    }

    private static String key(String domain) {
        return domain == null ? SIP_CONNECT : domain;
    }

    /** Live calls across all domains and SIP Connect. */
    public int total() {
        return active.values().stream().mapToInt(Integer::intValue).sum();
    }
}
