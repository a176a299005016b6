package io.psip.provisioning.account;

import java.util.UUID;

/** A tenant. {@code secretHash} is a one-way hash of the API secret. */
public record Account(UUID id, String apiKey, String secretHash, String signatureSecret, boolean admin) {
}
