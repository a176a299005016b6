package io.psip.routing.call;

import io.psip.events.CallAction;
import io.psip.routing.call.B2buaRules.Effect;
import io.psip.routing.call.B2buaRules.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

class B2buaRulesTest {

    @Test
    void anOfferedCallTakesEveryCommand() {
        assertThat(B2buaRules.onCommand(State.OFFERED, CallAction.CONNECT)).isEqualTo(Effect.CONNECT);
        assertThat(B2buaRules.onCommand(State.OFFERED, CallAction.REJECT)).isEqualTo(Effect.REJECT);
        assertThat(B2buaRules.onCommand(State.OFFERED, CallAction.HANGUP)).isEqualTo(Effect.HANG_UP);
        assertThat(B2buaRules.onCommand(State.OFFERED, CallAction.UNKNOWN)).isEqualTo(Effect.REFUSE_UNSUPPORTED);
    }

    @Test
    void aCallWaitingAfterAFailedConnectTakesEveryCommandLikeAnOfferedOne() {
        assertThat(B2buaRules.onCommand(State.WAITING, CallAction.CONNECT)).isEqualTo(Effect.CONNECT);
        assertThat(B2buaRules.onCommand(State.WAITING, CallAction.REJECT)).isEqualTo(Effect.REJECT);
        assertThat(B2buaRules.onCommand(State.WAITING, CallAction.HANGUP)).isEqualTo(Effect.HANG_UP);
        assertThat(B2buaRules.onCommand(State.WAITING, CallAction.UNKNOWN)).isEqualTo(Effect.REFUSE_UNSUPPORTED);
        assertThat(State.WAITING.awaitingCommand()).isTrue();
        assertThat(State.WAITING.connecting()).isFalse();
        assertThat(State.WAITING.answered()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = State.class, names = {"OFFERED", "CONNECTING", "EARLY", "WAITING"})
    void aConnectThatMayFailKeepsAnUnansweredCallerWaiting(State state) {
        assertThat(B2buaRules.waitsAfterFailure(true, state)).isTrue();
        assertThat(B2buaRules.waitsAfterFailure(false, state)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(value = State.class, names = {"ANSWERED", "CONFIRMED", "ENDED"})
    void aFailureAfterAnswerOrEndNeverWaits(State state) {
        assertThat(B2buaRules.waitsAfterFailure(true, state)).isFalse();
    }

    @Test
    void aFailedConnectTellsTheCallerWhatItWouldHaveHeardAndReportsTheFarEndsCode() {
        assertThat(B2buaRules.ConnectFailure.ringTimeout(480)).isEqualTo(new B2buaRules.ConnectFailure(
                B2buaRules.ConnectFailure.Kind.RING_TIMEOUT, 480, 408, "timeout"));
        assertThat(B2buaRules.ConnectFailure.farEndRefused(486, "Busy Here")).isEqualTo(
                new B2buaRules.ConnectFailure(B2buaRules.ConnectFailure.Kind.FAR_END_REFUSED, 486, 486,
                        "Busy Here"));
        assertThat(B2buaRules.ConnectFailure.farEndRefused(407, "Proxy Authentication Required").callerStatus())
                .as("a challenge on our leg").isEqualTo(403);
        assertThat(B2buaRules.ConnectFailure.notConnected(480, "user_not_registered")).isEqualTo(
                new B2buaRules.ConnectFailure(B2buaRules.ConnectFailure.Kind.NOT_CONNECTED, 480, 480,
                        "user_not_registered"));
    }

    @ParameterizedTest
    @EnumSource(value = State.class, names = {"CONNECTING", "EARLY", "ANSWERED", "CONFIRMED"})
    void aCallPastItsOfferTakesOnlyHangup(State state) {
        assertThat(B2buaRules.onCommand(state, CallAction.CONNECT)).isEqualTo(Effect.NONE);
        assertThat(B2buaRules.onCommand(state, CallAction.REJECT)).isEqualTo(Effect.NONE);
        assertThat(B2buaRules.onCommand(state, CallAction.UNKNOWN)).isEqualTo(Effect.NONE);
        assertThat(B2buaRules.onCommand(state, CallAction.HANGUP)).isEqualTo(Effect.HANG_UP);
    }

    @ParameterizedTest
    @EnumSource(CallAction.class)
    void anEndedCallTakesNoCommand(CallAction action) {
        assertThat(B2buaRules.onCommand(State.ENDED, action)).isEqualTo(Effect.NONE);
    }

    @Test
    void rejectKeepsAFinalErrorStatusAndOtherwiseSays403() {
        assertThat(B2buaRules.rejectStatus(486)).isEqualTo(486);
        assertThat(B2buaRules.rejectStatus(699)).isEqualTo(699);
        assertThat(B2buaRules.rejectStatus(null)).isEqualTo(403);
        assertThat(B2buaRules.rejectStatus(200)).isEqualTo(403);
        assertThat(B2buaRules.rejectStatus(700)).isEqualTo(403);
    }

    @Test
    void theCallerHearsTheFarEndsRefusalExceptChallengesAndRedirects() {
        assertThat(B2buaRules.callerStatusForRefusal(486)).isEqualTo(486);
        assertThat(B2buaRules.callerStatusForRefusal(603)).isEqualTo(603);
        assertThat(B2buaRules.callerStatusForRefusal(401)).isEqualTo(403);
        assertThat(B2buaRules.callerStatusForRefusal(407)).isEqualTo(403);
        assertThat(B2buaRules.callerStatusForRefusal(302)).isEqualTo(480);
    }

    @Test
    void statesSayWhetherTheFarEndIsRingingOrTheCallIsUp() {
        assertThat(State.CONNECTING.connecting()).isTrue();
        assertThat(State.EARLY.connecting()).isTrue();
        assertThat(State.OFFERED.connecting()).isFalse();
        assertThat(State.ANSWERED.answered()).isTrue();
        assertThat(State.CONFIRMED.answered()).isTrue();
        assertThat(State.EARLY.answered()).isFalse();
    }

    @Test
    void ofSeveralForksFailuresAGlobalOneWinsElseTheLowestClassFirstReceived() {
        assertThat(B2buaRules.betterFinal(603, 486)).isTrue();
        assertThat(B2buaRules.betterFinal(486, 603)).isFalse();
        assertThat(B2buaRules.betterFinal(600, 603)).as("the first 6xx stays").isFalse();
        assertThat(B2buaRules.betterFinal(486, 503)).isTrue();
        assertThat(B2buaRules.betterFinal(503, 486)).isFalse();
        assertThat(B2buaRules.betterFinal(404, 486)).as("within a class the first stays").isFalse();
        assertThat(B2buaRules.betterFinal(302, 486)).as("a redirect is the lowest class").isTrue();
    }
}
