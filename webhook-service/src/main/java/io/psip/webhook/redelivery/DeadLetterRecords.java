package io.psip.webhook.redelivery;

import java.time.Instant;
import java.util.List;

/** The webhook dead-letter topic, read. */
public interface DeadLetterRecords {

    /** An event_url post given up, by its call and idempotency key. */
    record DeadLetter(String callUuid, String idempotencyKey, Instant deadLetteredAt) {
    }

    /** What the topic holds: every dead letter, of a post or of a call event that could not be handled. */
    record Summary(String topic, long count, Instant oldest, Instant newest) {
    }

    /** The event_url posts given up, oldest first per call; dead call events are not posts and are left out. */
    List<DeadLetter> posts();

    Summary summary();
}
