package io.psip.routing.table;

import io.psip.schemas.crypto.PlatformKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * {@code psip.secrets.key-file}: the platform key file that opens the digest users' HA1s on {@code psip.domains}.
 * Optional: without it routing runs, but every digest user stays sealed and unusable (their calls get 403).
 */
@ConfigurationProperties("psip.secrets")
public record SecretsProperties(Path keyFile) {

    private static final Logger log = LoggerFactory.getLogger(SecretsProperties.class);

    /** The key, or null when none is configured; a configured key that cannot be read fails the start. */
    public PlatformKey readKey() {
        if (keyFile == null) {
            log.warn("psip.secrets.key-file is not set: digest users on psip.domains stay sealed, and calls that"
                    + " need digest credentials are refused");
            return null;
        }
        try {
            PlatformKey key = PlatformKey.read(keyFile);
            log.info("digest users are opened with platform key {} from {}", key.id(), keyFile);
            return key;
        } catch (IOException e) {
            throw new UncheckedIOException("psip.secrets.key-file " + keyFile + " cannot be read", e);
        }
    }
}
