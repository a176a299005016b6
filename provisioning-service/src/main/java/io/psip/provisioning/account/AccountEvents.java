package io.psip.provisioning.account;

import io.psip.events.AccountChanged;
import io.psip.events.ChangeType;

import java.time.Instant;
import java.util.UUID;

/**
 * The {@link AccountChanged} snapshot of an account: only what routing needs, never a secret or its hash; the SIP
 * Connect HA1s only as stored, sealed under the platform key.
 */
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
                .setApiKey(account.apiKey())
                .setStatus(account.status().wireName())
                .setSealedHa1Md5(account.sipConnect() == null ? null : account.sipConnect().md5())
                .setSealedHa1Sha256(account.sipConnect() == null ? null : account.sipConnect().sha256())
                .build();
    }
}
