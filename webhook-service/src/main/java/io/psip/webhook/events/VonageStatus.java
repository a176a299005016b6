package io.psip.webhook.events;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The statuses event_url gets, as Vonage names them, and how routing's outcome (its SIP code and reason) maps to
 * them and to Vonage's {@code detail} codes. Vonage's {@code disconnected} is missing on purpose: Vonage sends it
 * when a WebSocket endpoint's connection is closed from the application's side, and psip connects SIP only.
 */
public enum VonageStatus {
    STARTED, RINGING, ANSWERED, BUSY, CANCELLED, UNANSWERED, REJECTED, FAILED, TIMEOUT, COMPLETED;

    /** The {@code status} field. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether this status, as a call's status, says the call is over. */
    public boolean endsCall() {
        return switch (this) {
            case STARTED, RINGING, ANSWERED -> false;
            default -> true;
        };
    }

    /**
     * Vonage's {@code detail} codes of a call that did not connect, with the status each one goes with: refused by
     * the platform or the callee is {@code rejected}, unreachable is {@code unanswered}, nobody answering in the
     * connect's timeout is {@code timeout}, anything else {@code failed}. {@code platform_restart} is psip's own,
     * as its README documents: no Vonage code says the platform ended the call (restart or drain).
     */
    public enum Detail {
        INVALID_NUMBER(FAILED), RESTRICTED(REJECTED), DECLINED(REJECTED), CANNOT_ROUTE(FAILED),
        NUMBER_OUT_OF_SERVICE(FAILED), INTERNAL_ERROR(FAILED), CARRIER_TIMEOUT(UNANSWERED), UNAVAILABLE(UNANSWERED),
        RING_TIMEOUT(TIMEOUT), PLATFORM_RESTART(FAILED), UNKNOWN(FAILED);

        private final VonageStatus status;

        Detail(VonageStatus status) {
            this.status = status;
        }

        public VonageStatus status() {
            return status;
        }

        /** The {@code detail} field. */
        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** routing's reasons for a connect that failed on the platform's side, where they say more than the code. */
    private static final Map<String, Detail> ROUTING_REASONS = Map.ofEntries(
            Map.entry("timeout", Detail.RING_TIMEOUT),
            Map.entry("no_response", Detail.CARRIER_TIMEOUT),
            Map.entry("connect_timeout", Detail.CARRIER_TIMEOUT),
            Map.entry("destination_not_allowed", Detail.RESTRICTED),
            Map.entry("user_not_found", Detail.INVALID_NUMBER),
            Map.entry("user_not_registered", Detail.UNAVAILABLE),
            Map.entry("destination_unresolved", Detail.CANNOT_ROUTE),
            Map.entry("connect_failed", Detail.CANNOT_ROUTE),
            Map.entry("tls_failed", Detail.CANNOT_ROUTE),
            Map.entry("transport_unavailable", Detail.CANNOT_ROUTE),
            Map.entry("unsupported endpoint uri", Detail.CANNOT_ROUTE),
            Map.entry("outbound_overloaded", Detail.INTERNAL_ERROR),
            Map.entry("relay_failed", Detail.INTERNAL_ERROR),
            Map.entry("no_command", Detail.INTERNAL_ERROR),
            Map.entry("unsupported_command", Detail.INTERNAL_ERROR),
            Map.entry("platform_restart", Detail.PLATFORM_RESTART));

    /** Reasons of a COMPLETED call that one of its users ended; every other end is the platform's. */
    private static final Set<String> USER_HANGUPS = Set.of("caller_hangup", "callee_hangup");

    /**
     * The detail of a call or connect that failed with {@code sipCode} (routing's or the far end's final status)
     * and {@code reason}: routing's own reason first, then the SIP code.
     */
    public static Detail detail(Integer sipCode, String reason) {
        Detail byReason = reason == null ? null : ROUTING_REASONS.get(reason);
        if (byReason != null) {
            return byReason;
        }
        if (sipCode == null) {
            return Detail.UNKNOWN;
        }
        return switch (sipCode) {
            case 404, 484, 604 -> Detail.INVALID_NUMBER;
            case 401, 403, 407 -> Detail.RESTRICTED;
            case 410 -> Detail.NUMBER_OUT_OF_SERVICE;
            case 603, 607, 608 -> Detail.DECLINED;
            case 480, 503 -> Detail.UNAVAILABLE;
            case 408, 504 -> Detail.CARRIER_TIMEOUT;
            case 500, 501 -> Detail.INTERNAL_ERROR;
            case 502 -> Detail.CANNOT_ROUTE;
            default -> Detail.UNKNOWN;
        };
    }

    /** A far end that is busy (486 Busy Here, 600 Busy Everywhere): {@code busy}, which has no detail. */
    public static boolean busy(Integer sipCode) {
        return sipCode != null && (sipCode == 486 || sipCode == 600);
    }

    /** Vonage's {@code disconnected_by} of a completed call: {@code user} when a user hung up, else {@code platform}. */
    public static String disconnectedBy(String reason) {
        return reason != null && USER_HANGUPS.contains(reason) ? "user" : "platform";
    }
}
