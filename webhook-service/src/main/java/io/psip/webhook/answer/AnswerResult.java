package io.psip.webhook.answer;

import io.psip.webhook.ncco.NccoDecision;

/** How asking the customer what to do with a call ended. */
public sealed interface AnswerResult {

    /** answer_url (or its fallback) returned a valid NCCO. */
    record Answered(NccoDecision decision, boolean fromFallback) implements AnswerResult {
    }

    /** Neither answer_url nor fallback_answer_url gave a valid NCCO; {@code reason} says why, for event_url. */
    record Failed(String reason) implements AnswerResult {
    }
}
