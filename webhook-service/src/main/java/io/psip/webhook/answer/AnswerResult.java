package io.psip.webhook.answer;

import io.psip.webhook.ncco.Ncco;

import java.util.List;

/**
 * How asking the customer for an NCCO ended. {@code syntaxErrors}: why each invalid NCCO received on the way was
 * refused; each goes to event_url as Vonage's error event, whatever came after it.
 */
public sealed interface AnswerResult {

    List<String> syntaxErrors();

    /** The webhook (or fallback_answer_url) returned a valid NCCO. */
    record Answered(Ncco ncco, boolean fromFallback, List<String> syntaxErrors) implements AnswerResult {
        public Answered {
            syntaxErrors = List.copyOf(syntaxErrors);
        }
    }

    /** An event webhook accepted the request with an empty body: the current NCCO goes on. */
    record NoNcco(List<String> syntaxErrors) implements AnswerResult {
        public NoNcco {
            syntaxErrors = List.copyOf(syntaxErrors);
        }
    }

    /**
     * Neither the webhook nor fallback_answer_url gave a valid NCCO; {@code reason} says why, for event_url.
     * {@code hostBusy}: the last URL tried was not even asked, its host having too many of our requests in flight
     * already; the call is shed as under overload rather than failed.
     */
    record Failed(String reason, boolean hostBusy, List<String> syntaxErrors) implements AnswerResult {
        public Failed {
            syntaxErrors = List.copyOf(syntaxErrors);
        }

        public Failed(String reason, List<String> syntaxErrors) {
            this(reason, false, syntaxErrors);
        }
    }
}
