package io.psip.provisioning.account;

import io.psip.events.AccountChanged;
import io.psip.events.ChangeType;
import io.psip.schemas.crypto.AccountSecrets;
import io.psip.schemas.crypto.PlatformKey;
import org.springframework.stereotype.Component;

import java.time.Instant;
import java.util.UUID;

/**
 * The {@link AccountChanged} snapshot of an account: only what routing and webhook-service need, never the API
 * secret or its hash; the SIP Connect HA1s only as stored, sealed under the platform key, and the signature secret
 * sealed under it (none when the stored one no longer opens: sealed under a replaced key file).
 */
@Component
public class AccountEvents {

    private final PlatformKey key;

    AccountEvents(PlatformKey key) {
        this.key = key;
    }

    public AccountChanged changed(Account account, ChangeType type) {
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
                .setSealedSignatureSecret(account.signatureSecret() == null ? null
                        : AccountSecrets.sealSignatureSecret(key, account.id().toString(), account.signatureSecret()))
                .build();
    }
}
