package io.psip.webhook.ncco;

import java.util.Map;

/** What a valid NCCO asks the platform to do with an inbound call. */
public sealed interface NccoDecision {

    /**
     * {@code connect} to a {@code sip} endpoint; headers are sent by routing as {@code X-<name>}.
     * {@code limitSeconds}: the NCCO's {@code limit} (longest call after answer), or null for routing's maximum.
     * {@code registered}: the endpoint named a domain's user ({@code user} + {@code domain}) rather than a {@code uri};
     * {@code uri} is then the user's address of record. Null for a {@code uri} endpoint.
     */
    record ConnectSip(String uri, Map<String, String> headers, String from, int timeoutSeconds, Integer limitSeconds,
                      RegisteredUser registered) implements NccoDecision {
        public ConnectSip {
            headers = Map.copyOf(headers);
        }

        public ConnectSip(String uri, Map<String, String> headers, String from, int timeoutSeconds,
                          Integer limitSeconds) {
            this(uri, headers, from, timeoutSeconds, limitSeconds, null);
        }
    }

    /** A user of one of the account's SIP domains, rung at its registered contacts. */
    record RegisteredUser(String user, String domain) {
        public String addressOfRecord() {
            return "sip:" + user + "@" + domain;
        }
    }

    /**
     * A well-formed NCCO that this platform cannot carry out (yet): the call is rejected with {@code sipCode} and
     * {@code reason} is reported to event_url. Not a reason to try fallback_answer_url: the customer's answer was valid.
     */
    record Unsupported(int sipCode, String reason) implements NccoDecision {
    }
}
