package io.psip.schemas;

import io.psip.events.AccountChanged;
import io.psip.events.ActiveCall;
import io.psip.events.ApplicationChanged;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.DomainChanged;
import io.psip.events.NumberChanged;
import io.psip.events.Registration;

import java.util.List;
import java.util.Set;

/** Every topic of the platform, declared once. */
public final class Topics {

    public static final Set<String> REGIONS = Set.of("us", "eu", "ap");

    public static final Topic<DomainChanged> DOMAINS = new Topic<>("psip.domains", DomainChanged.class, true);
    public static final Topic<ApplicationChanged> APPLICATIONS =
            new Topic<>("psip.applications", ApplicationChanged.class, true);
    public static final Topic<NumberChanged> NUMBERS = new Topic<>("psip.numbers", NumberChanged.class, true);
    public static final Topic<AccountChanged> ACCOUNTS = new Topic<>("psip.accounts", AccountChanged.class, true);
    public static final Topic<CallEvent> CALL_EVENTS = new Topic<>("psip.call-events", CallEvent.class, false);

    private static final String COMMANDS_PREFIX = "psip.call-commands.";
    private static final String ACTIVE_CALLS_PREFIX = "psip.active-calls.";
    private static final String REGISTRATIONS_PREFIX = "psip.registrations.";

    /**
     * Dead letters of the in-memory tables: a configuration record no reader here can ever decode, copied as it
     * was (raw key and value) with headers naming its topic, partition, offset and the error. Keyed like the
     * original record.
     */
    public static final String TABLE_DLQ = "psip.table-dlq";

    /** Dead letters of webhook delivery; values are the raw record that failed, headers say why. */
    public static final String WEBHOOK_DLQ = "psip.webhook-dlq";

    /**
     * Webhook's unfinished event_url deliveries, keyed by call uuid with as many partitions as call events, so the
     * instance owning a call-events partition owns the same partition here; JSON values, compacted and deleted
     * after call events' retention. Created by webhook-service with that policy.
     */
    public static final String WEBHOOK_DELIVERIES = "psip.webhook-deliveries";

    /**
     * Every event_url post webhook queued (key, body, target), keyed by call uuid, JSON values, deleted after
     * call events' retention: what an operator's re-delivery sends again. Created by webhook-service.
     */
    public static final String WEBHOOK_HISTORY = "psip.webhook-history";

    private Topics() {
    }

    /** Commands for the routing instances of one region. */
    public static Topic<CallCommand> callCommands(String region) {
        return new Topic<>(COMMANDS_PREFIX + known(region), CallCommand.class, false);
    }

    /**
     * The answered calls the routing instances of one region hold, keyed by call uuid, a tombstone once a call has
     * ended: what an instance restarted after a crash reads to hang up the calls it held.
     */
    public static Topic<ActiveCall> activeCalls(String region) {
        return new Topic<>(ACTIVE_CALLS_PREFIX + known(region), ActiveCall.class, true);
    }

    /**
     * The SIP registrations taken by the routing instances of one region, keyed by address of record
     * ({@code user@domain}), a tombstone once it has no binding: what every instance of the region, and one that
     * restarts, routes calls to registered users with.
     */
    public static Topic<Registration> registrations(String region) {
        return new Topic<>(REGISTRATIONS_PREFIX + known(region), Registration.class, true);
    }

    private static String known(String region) {
        if (!REGIONS.contains(region)) {
            throw new IllegalArgumentException("unknown region: " + region);
        }
        return region;
    }

    /**
     * The topic declaration for a topic name, e.g. {@code psip.call-commands.eu} maps to {@link CallCommand}.
     *
     * @throws IllegalArgumentException if the name is not an Avro topic of the platform
     */
    public static Topic<?> forName(String topic) {
        for (Topic<?> known : List.of(DOMAINS, APPLICATIONS, NUMBERS, ACCOUNTS, CALL_EVENTS)) {
            if (known.name().equals(topic)) {
                return known;
            }
        }
        if (topic != null && topic.startsWith(COMMANDS_PREFIX)
                && REGIONS.contains(topic.substring(COMMANDS_PREFIX.length()))) {
            return callCommands(topic.substring(COMMANDS_PREFIX.length()));
        }
        if (topic != null && topic.startsWith(ACTIVE_CALLS_PREFIX)
                && REGIONS.contains(topic.substring(ACTIVE_CALLS_PREFIX.length()))) {
            return activeCalls(topic.substring(ACTIVE_CALLS_PREFIX.length()));
        }
        if (topic != null && topic.startsWith(REGISTRATIONS_PREFIX)
                && REGIONS.contains(topic.substring(REGISTRATIONS_PREFIX.length()))) {
            return registrations(topic.substring(REGISTRATIONS_PREFIX.length()));
        }
        throw new IllegalArgumentException("not an Avro topic of psip: " + topic);
    }

    /** The compacted configuration topics, in the order a fresh consumer should load them. */
    public static List<Topic<?>> configurationTopics() {
        return List.of(ACCOUNTS, APPLICATIONS, NUMBERS, DOMAINS);
    }
}
