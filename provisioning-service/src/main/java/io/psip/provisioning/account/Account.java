package io.psip.provisioning.account;

import java.util.UUID;

/** A tenant. {@code secretHash} is a one-way hash of the API secret. */
public record Account(UUID id, String apiKey, String secretHash, String signatureSecret, boolean admin) {

    /** Without the secret hash and the signature secret, should an account ever be logged. */
    @Override
    public String toString() {
        return "Account[id=" + id + ", apiKey=" + apiKey + ", admin=" + admin + "]";
    }
}
