package io.psip.provisioning.account;

import io.psip.events.AccountChanged;
import io.psip.events.ChangeType;

import java.time.Instant;
import java.util.UUID;

/** The {@link AccountChanged} snapshot of an account: only what routing needs, never a secret or its hash. */
public final class AccountEvents {

    private AccountEvents() {
    }

    public static AccountChanged changed(Account account, ChangeType type) {
        return AccountChanged.newBuilder()
                .setEventId(UUID.randomUUID().toString())
                .setVersion(account.version())
                .setOccurredAt(Instant.now())
                .setChangeType(type)
                .setAccountId(account.id().toString())
                .setDestinationAllow(account.destinationAllow())
                .build();
    }
}
