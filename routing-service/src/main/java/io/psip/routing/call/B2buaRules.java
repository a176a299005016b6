package io.psip.routing.call;

import io.psip.events.CallAction;

/**
 * The back-to-back user agent's rules, apart from SIP: the states of a call, which command each state takes, and
 * what the caller is told when the far end refuses.
 */
public final class B2buaRules {

    /** A call's progress: offered (waiting for its command), connecting / early (far end ringing), answered
     * (200 relayed, caller's ACK pending), confirmed, ended. */
    public enum State {
        OFFERED, CONNECTING, EARLY, ANSWERED, CONFIRMED, ENDED;

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

    /**
     * Only an offered call takes CONNECT or REJECT (a repeated or late command changes nothing); HANGUP ends a call
     * in any state but the last; an action this instance does not know ends an offered call with 501.
     */
    public static Effect onCommand(State state, CallAction action) {
        return switch (action) {
            case CONNECT -> state == State.OFFERED ? Effect.CONNECT : Effect.NONE;
            case REJECT -> state == State.OFFERED ? Effect.REJECT : Effect.NONE;
            case HANGUP -> state == State.ENDED ? Effect.NONE : Effect.HANG_UP;
            case UNKNOWN -> state == State.OFFERED ? Effect.REFUSE_UNSUPPORTED : Effect.NONE;
        };
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
