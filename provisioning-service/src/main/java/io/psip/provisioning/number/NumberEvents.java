package io.psip.provisioning.number;

import io.psip.events.ChangeType;
import io.psip.events.NumberChanged;

import java.time.Instant;
import java.util.UUID;

/** The {@link NumberChanged} snapshot of a number. */
public final class NumberEvents {

    private NumberEvents() {
    }

    public static NumberChanged changed(PhoneNumber n, ChangeType type, long version) {
        return NumberChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setVersion(version)
                .setOccurredAt(Instant.now())
                .setChangeType(type)
                .setNumber(n.number())
                .setAccountId(n.accountId().toString())
                .setApplicationId(n.applicationId().toString())
                .build();
    }
}
