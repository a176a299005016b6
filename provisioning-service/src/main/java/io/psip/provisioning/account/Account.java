package io.psip.provisioning.account;

import io.psip.schemas.crypto.AccountSecrets;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * A tenant. {@code secretHash} is a one-way hash of the API secret. {@code destinationAllow}: the normal forms of
 * its allow-list of connect destinations (empty: no restriction of its own); {@code sipConnect}: the HA1s of its
 * API secret for SIP Connect, sealed under the platform key (null: no SIP Connect, an account whose secret was
 * set before they existed); {@code signatureSecret}: signs its webhooks, in clear here only (stored and published
 * sealed under the platform key; null when the stored one no longer opens, the key file having been replaced, until
 * it is rotated); {@code version}: of its AccountChanged events.
 */
public record Account(UUID id, String apiKey, String secretHash, String signatureSecret, boolean admin,
                      List<String> destinationAllow, Status status, AccountSecrets.Sealed sipConnect, long version) {

    /** A suspended account keeps its data but can use neither the API nor SIP Connect. */
    public enum Status {
        ACTIVE, SUSPENDED;

        /** As in the API and {@code AccountChanged.status}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Status> of(String wireName) {
            for (Status s : values()) {
                if (s.wireName().equals(wireName)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    public Account {
        destinationAllow = List.copyOf(destinationAllow);
    }

    Account withDestinationAllow(List<String> allow, long newVersion) {
        return new Account(id, apiKey, secretHash, signatureSecret, admin, allow, status, sipConnect, newVersion);
    }

    Account withSecret(String newSecretHash, AccountSecrets.Sealed newSipConnect, long newVersion) {
        return new Account(id, apiKey, newSecretHash, signatureSecret, admin, destinationAllow, status, newSipConnect,
                newVersion);
    }

    Account withSignatureSecret(String newSignatureSecret, long newVersion) {
        return new Account(id, apiKey, secretHash, newSignatureSecret, admin, destinationAllow, status, sipConnect,
                newVersion);
    }

    Account withStatus(Status newStatus, long newVersion) {
        return new Account(id, apiKey, secretHash, signatureSecret, admin, destinationAllow, newStatus, sipConnect,
                newVersion);
    }

    /** Without the secret hash, the signature secret and the sealed HA1s, should an account ever be logged. */
    @Override
    public String toString() {
        return "Account[id=" + id + ", apiKey=" + apiKey + ", admin=" + admin + ", status=" + status.wireName() + "]";
    }
}
