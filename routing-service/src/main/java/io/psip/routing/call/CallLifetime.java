package io.psip.routing.call;

import java.time.Duration;
import java.util.OptionalInt;

/**
 * How long an answered call may last, apart from SIP: a maximum duration (the NCCO connect {@code limit} when it is
 * shorter), and RFC 4028 session timers, which the B2BUA relays between the legs and enforces as the side that
 * does not refresh.
 *
 * @param maxDuration       the longest any call lasts after answer (Vonage: 7200 s)
 * @param minSessionExpires the shortest session interval accepted (our Min-SE); RFC 4028 says at least 90 s
 */
public record CallLifetime(Duration maxDuration, Duration minSessionExpires) {

    public static final CallLifetime DEFAULT = new CallLifetime(Duration.ofSeconds(7200), Duration.ofSeconds(90));

    public CallLifetime {
        if (maxDuration.isNegative() || maxDuration.isZero() || minSessionExpires.toSeconds() < 1) {
            throw new IllegalArgumentException("max duration and Min-SE must be positive");
        }
    }

    /** How long an answered call may last: its connect limit, never beyond the maximum. */
    public Duration limit(Integer limitSeconds) {
        if (limitSeconds == null || limitSeconds < 1) {
            return maxDuration;
        }
        Duration limit = Duration.ofSeconds(limitSeconds);
        return limit.compareTo(maxDuration) < 0 ? limit : maxDuration;
    }

    /** A request asking for a session interval below our Min-SE is answered 422 with it (RFC 4028 8.1.1, 9). */
    public boolean tooSmall(Integer sessionExpires) {
        return sessionExpires != null && sessionExpires < minSessionExpires.toSeconds();
    }

    /** The Min-SE a relayed request carries: the larger of the sender's and ours, so the far end cannot go lower. */
    public long minSe(Integer sendersMinSe) {
        return Math.max(minSessionExpires.toSeconds(), sendersMinSe == null ? 0 : sendersMinSe);
    }

    /**
     * The session interval a 2xx to an INVITE or UPDATE sets: the one the answering side put in it; or, when it put
     * none although the sender asked for one and supports timers, the one asked for: the B2BUA then adds it to the
     * 2xx with {@code refresher=uac} and {@code Require: timer}, as a proxy does (RFC 4028 8.2). Empty: no timer.
     */
    public static Negotiated negotiate(Integer requested, boolean senderSupportsTimer, Integer answered) {
        if (answered != null && answered > 0) {
            return new Negotiated(OptionalInt.of(answered), false);
        }
        if (requested != null && requested > 0 && senderSupportsTimer) {
            return new Negotiated(OptionalInt.of(requested), true);
        }
        return new Negotiated(OptionalInt.empty(), false);
    }

    /** @param added the B2BUA adds the interval to the 2xx itself (the answering side does not do timers) */
    public record Negotiated(OptionalInt interval, boolean added) {
    }

    /**
     * When the side that does not refresh ends a session nobody refreshed: before it expires, by the lesser of
     * 32 s and a third of the interval (RFC 4028 10).
     */
    public static Duration expiry(int intervalSeconds) {
        long seconds = Math.max(1, intervalSeconds);
        return Duration.ofMillis(seconds * 1000 - Math.min(32_000, seconds * 1000 / 3));
    }
}
