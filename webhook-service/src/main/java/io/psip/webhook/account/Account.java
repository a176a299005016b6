package io.psip.webhook.account;

import io.psip.schemas.crypto.DigestUserSecrets.Unusable;

import java.util.Optional;

/**
 * What signing needs of an account: its API key (the JWT's {@code api_key}) and its signature secret, opened from
 * {@code AccountChanged.sealed_signature_secret}; null with {@code unusable} saying why when it did not open.
 */
public record Account(String id, String apiKey, String signatureSecret, Unusable unusable) {

    public Optional<String> usableSignatureSecret() {
        return Optional.ofNullable(signatureSecret);
    }

    /** Never the signature secret. */
    @Override
    public String toString() {
        return "Account[id=" + id + ", apiKey=" + apiKey
                + (signatureSecret == null ? ", signatureSecret unusable: " + unusable : "") + "]";
    }
}
