package io.psip.webhook.redelivery;

import java.time.Instant;

/**
 * Which posts an operator wants again: those of one call, those of a time window (half-open, {@code [from, to)}),
 * or, for dead letters only, all of them.
 */
public record Selector(String callUuid, Instant from, Instant to) {

    public static Selector call(String callUuid) {
        return new Selector(callUuid, null, null);
    }

    public static Selector window(Instant from, Instant to) {
        return new Selector(null, from, to);
    }

    public static Selector all() {
        return new Selector(null, null, null);
    }

    public boolean isCall() {
        return callUuid != null;
    }

    public boolean isWindow() {
        return from != null;
    }

    /** Whether a post of {@code callUuid} made {@code at} is selected. */
    public boolean matches(String callUuid, Instant at) {
        if (isCall()) {
            return this.callUuid.equals(callUuid);
        }
        return !isWindow() || !at.isBefore(from) && at.isBefore(to);
    }
}
