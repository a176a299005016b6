package io.psip.voice.calls;

import io.psip.events.CallEvent;

import java.util.Optional;

/**
 * A call record's {@code status} after one routing event, as Vonage names it. Kept apart from webhook's
 * event_url statuses on purpose (no dependency between the services): a record needs only the call's state, not
 * event_url's {@code detail} codes, so a call that failed is {@code cancelled} when a hangup command ended it
 * before answer (routing's reason {@code hangup}), else {@code busy} (486, 600), {@code rejected} (403, 603, 607,
 * 608), {@code unanswered} (408, 480, 503, 504) or {@code failed}. A connect that failed while the NCCO goes on
 * (CONNECT_FAILED) leaves the status as it was.
 */
final class RecordStatus {

    private RecordStatus() {
    }

    static Optional<String> of(CallEvent event) {
        return switch (event.getType()) {
            case OFFERED -> Optional.of("started");
            case RINGING -> Optional.of("ringing");
            case ANSWERED -> Optional.of("answered");
            case COMPLETED -> Optional.of("completed");
            case CANCELLED -> Optional.of("cancelled");
            case BUSY -> Optional.of("busy");
            case REJECTED -> Optional.of("rejected");
            case UNANSWERED -> Optional.of("timeout");
            case FAILED -> Optional.of("hangup".equals(event.getReason()) ? "cancelled" : failed(event.getSipCode()));
            case CONNECT_FAILED, UNKNOWN -> Optional.empty();
        };
    }

    /** Whether a call with this status is over. */
    static boolean ended(String status) {
        return switch (status) {
            case "started", "ringing", "answered" -> false;
            default -> true;
        };
    }

    private static String failed(Integer sipCode) {
        if (sipCode == null) {
            return "failed";
        }
        return switch (sipCode) {
            case 486, 600 -> "busy";
            case 403, 603, 607, 608 -> "rejected";
            case 408, 480, 503, 504 -> "unanswered";
            default -> "failed";
        };
    }
}
