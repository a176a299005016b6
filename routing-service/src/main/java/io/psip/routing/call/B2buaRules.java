package io.psip.routing.call;

import io.psip.events.CallAction;

/**
 * The back-to-back user agent's rules, apart from SIP: the states of a call, which command each state takes, and
 * what the caller is told when the far end refuses.
 */
public final class B2buaRules {

    /** A call's progress: offered (waiting for its command), connecting / early (far end ringing), waiting (a
     * connect that may fail failed; the caller still waits for the next command), answered (200 relayed, caller's
     * ACK pending), confirmed, ended. */
    public enum State {
        OFFERED, CONNECTING, EARLY, WAITING, ANSWERED, CONFIRMED, ENDED;

        /** The caller has no final response and the call waits for a command (CONNECT or REJECT). */
        public boolean awaitingCommand() {
            return this == OFFERED || this == WAITING;
        }

        /** The far end has the INVITE and has not answered yet. */
        public boolean connecting() {
            return this == CONNECTING || this == EARLY;
        }

        /** The call is up on both legs, or about to be once the caller ACKs. */
        public boolean answered() {
            return this == ANSWERED || this == CONFIRMED;
        }
    }

    /** What a command does to a call. */
    public enum Effect { CONNECT, REJECT, HANG_UP, REFUSE_UNSUPPORTED, NONE }

    private B2buaRules() {
    }

    /** The status CONNECT_FAILED reports for a connect nobody answered in its timeout (the contract's 408). */
    public static final int RING_TIMEOUT_STATUS = 408;

    /**
     * What becomes of a call whose connect failed before answer. {@code callerStatus}: what the caller is told
     * (now, or once no command follows); {@code reportedStatus} and {@code reason}: what CONNECT_FAILED and the
     * final event say; {@code kind}: which final event routing emits for it.
     */
    public record ConnectFailure(Kind kind, int callerStatus, int reportedStatus, String reason) {

        /** Nobody answered in time (UNANSWERED), the far end refused (BUSY / REJECTED / FAILED by its code), or
         * the connect failed on our side or in the network (FAILED). */
        public enum Kind { RING_TIMEOUT, FAR_END_REFUSED, NOT_CONNECTED }

        public static ConnectFailure ringTimeout(int callerStatus) {
            return new ConnectFailure(Kind.RING_TIMEOUT, callerStatus, RING_TIMEOUT_STATUS, "timeout");
        }

        /** The far end's final {@code farEndStatus}; the caller hears {@link #callerStatusForRefusal}. */
        public static ConnectFailure farEndRefused(int farEndStatus, String reason) {
            return new ConnectFailure(Kind.FAR_END_REFUSED, callerStatusForRefusal(farEndStatus), farEndStatus,
                    reason);
        }

        public static ConnectFailure notConnected(int status, String reason) {
            return new ConnectFailure(Kind.NOT_CONNECTED, status, status, reason);
        }
    }

    /**
     * Only a call awaiting its command (offered, or waiting after a connect that may fail failed) takes CONNECT or
     * REJECT (a repeated or late command changes nothing); HANGUP ends a call in any state but the last; an action
     * this instance does not know ends a call awaiting its command with 501.
     */
    public static Effect onCommand(State state, CallAction action) {
        return switch (action) {
            case CONNECT -> state.awaitingCommand() ? Effect.CONNECT : Effect.NONE;
            case REJECT -> state.awaitingCommand() ? Effect.REJECT : Effect.NONE;
            case HANGUP -> state == State.ENDED ? Effect.NONE : Effect.HANG_UP;
            case UNKNOWN -> state.awaitingCommand() ? Effect.REFUSE_UNSUPPORTED : Effect.NONE;
        };
    }

    /**
     * Whether a connect failure keeps the caller waiting for the next command instead of ending the call: only when
     * the connect said the NCCO goes on after it ({@code continue_on_failure}) and the caller has no answer yet.
     * Connecting and early calls fail that way; one awaiting its command too, when the connect fails before any
     * INVITE (no contact, refused or unresolvable target).
     */
    public static boolean waitsAfterFailure(boolean continueOnFailure, State state) {
        return continueOnFailure && (state.awaitingCommand() || state.connecting());
    }

    /** A REJECT's status: the one asked for when it is a final error status (300–699), else 403. */
    public static int rejectStatus(Integer requested) {
        return requested != null && requested >= 300 && requested <= 699 ? requested : 403;
    }

    /**
     * Whether a fork's final failure {@code candidate} beats {@code best}, the one chosen so far, for the caller's
     * answer when every fork has failed (RFC 3261 16.7): a 6xx wins, else the lowest class; within a class the
     * first one stays.
     */
    public static boolean betterFinal(int candidate, int best) {
        if (best >= 600) {
            return false;
        }
        return candidate >= 600 || candidate / 100 < best / 100;
    }

    /**
     * The caller's final status when the far end refuses with {@code farEndStatus}: an auth challenge on our leg
     * is not the caller's to answer (403), a redirect is not followed (480), any other refusal is relayed.
     */
    public static int callerStatusForRefusal(int farEndStatus) {
        if (farEndStatus == 401 || farEndStatus == 407) {
            return 403;
        }
        return farEndStatus < 400 ? 480 : farEndStatus;
    }
}
