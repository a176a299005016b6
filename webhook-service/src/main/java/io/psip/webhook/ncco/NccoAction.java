package io.psip.webhook.ncco;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One action of an NCCO, as this platform carries it out. Adding an action means adding a record here; the
 * compiler then points at every switch that must decide what it does.
 */
public sealed interface NccoAction {

    /**
     * What to do with each kind of action. Java 17 has no pattern switch over sealed types; a visitor gives the
     * same guarantee: a new action does not compile until every decision handles it.
     */
    interface Visitor<R> {
        R connect(Connect connect);

        R notify(Notify notify);

        R unsupported(Unsupported unsupported);
    }

    <R> R accept(Visitor<R> visitor);

    /**
     * {@code connect} to one {@code sip} endpoint; headers are sent by routing as {@code X-<name>}.
     * {@code limitSeconds}: the NCCO's {@code limit} (longest call after answer), or null for routing's maximum.
     * {@code registered}: the endpoint named a domain's user ({@code user} + {@code domain}) rather than a
     * {@code uri}; {@code uri} is then the user's address of record. Null for a {@code uri} endpoint.
     * {@code eventUrl}: where this connect's statuses go instead of the application's event_url, or null.
     * {@code synchronous}: {@code eventType: synchronous}, the answer to a failure status posted to
     * {@code eventUrl} may be a new NCCO that replaces the rest of this one.
     */
    record Connect(String uri, Map<String, String> headers, String from, int timeoutSeconds, Integer limitSeconds,
                   RegisteredUser registered, URI eventUrl, String eventMethod, boolean synchronous)
            implements NccoAction {
        public Connect {
            headers = Map.copyOf(headers);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.connect(this);
        }

        /** Only a synchronous connect with an eventUrl can be answered with a new NCCO. */
        public boolean asksForNcco() {
            return synchronous && eventUrl != null;
        }
    }

    /** A user of one of the account's SIP domains, rung at its registered contacts. */
    record RegisteredUser(String user, String domain) {
        public String addressOfRecord() {
            return "sip:" + user + "@" + domain;
        }
    }

    /**
     * {@code notify}: {@code payload} is sent to {@code eventUrl}; an NCCO in the answer replaces the rest of the
     * NCCO, an empty answer lets it go on (Vonage's NCCO reference, notify).
     */
    record Notify(Map<String, Object> payload, URI eventUrl, String eventMethod) implements NccoAction {
        public Notify {
            payload = Collections.unmodifiableMap(new LinkedHashMap<>(payload));
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.notify(this);
        }
    }

    /**
     * A well-formed action that this platform cannot carry out (yet): the call is rejected with {@code sipCode} and
     * {@code reason} (which names the action) goes to event_url. Not a reason to try fallback_answer_url: the
     * customer's answer was valid.
     */
    record Unsupported(String action, int sipCode, String reason) implements NccoAction {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.unsupported(this);
        }
    }
}
