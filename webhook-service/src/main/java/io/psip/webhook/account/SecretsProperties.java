package io.psip.webhook.account;

import io.psip.schemas.crypto.PlatformKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * {@code psip.secrets.key-file}: the platform key file that opens the accounts' signature secrets on
 * {@code psip.accounts}. Optional: without it webhook-service runs, but applications with signed_callbacks get no
 * webhook (never an unsigned one).
 */
@ConfigurationProperties("psip.secrets")
public record SecretsProperties(Path keyFile) {

    private static final Logger log = LoggerFactory.getLogger(SecretsProperties.class);

    /** The key, or null when none is configured; a configured key that cannot be read fails the start. */
    public PlatformKey readKey() {
        if (keyFile == null) {
            log.warn("psip.secrets.key-file is not set: signature secrets on psip.accounts stay sealed, and"
                    + " applications with signed_callbacks get no webhooks");
            return null;
        }
        try {
            PlatformKey key = PlatformKey.read(keyFile);
            log.info("signature secrets are opened with platform key {} from {}", key.id(), keyFile);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("psip.secrets.key-file " + keyFile + " cannot be read", e);
        }
    }
}
