package io.psip.provisioning.account;

import java.util.List;
import java.util.UUID;

/**
 * A tenant. {@code secretHash} is a one-way hash of the API secret. {@code destinationAllow}: the normal forms of
 * its allow-list of connect destinations (empty: no restriction of its own); {@code version}: of its
 * AccountChanged events.
 */
public record Account(UUID id, String apiKey, String secretHash, String signatureSecret, boolean admin,
                      List<String> destinationAllow, long version) {

    public Account {
        destinationAllow = List.copyOf(destinationAllow);
    }

    /** Without the secret hash and the signature secret, should an account ever be logged. */
    @Override
    public String toString() {
        return "Account[id=" + id + ", apiKey=" + apiKey + ", admin=" + admin + "]";
    }
}
