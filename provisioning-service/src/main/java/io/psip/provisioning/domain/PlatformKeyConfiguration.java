package io.psip.provisioning.domain;

import io.psip.schemas.crypto.PlatformKey;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;
import java.io.UncheckedIOException;

@Configuration(proxyBeanMethods = false)
class PlatformKeyConfiguration {

    /**
     * Fails the start when the key is missing or unreadable: an HA1 (a digest user's, or an account's for SIP
     * Connect) is never published in the clear.
     */
    @Bean
    PlatformKey platformKey(SecretsProperties secrets) {
        if (secrets.keyFile() == null) {
            throw new IllegalStateException("psip.secrets.key-file is not set: provisioning publishes (and stores, for"
                    + " SIP Connect) HA1s only sealed under the platform key (bin/psip-local generates one; see"
                    + " docs/CONTRACTS.md)");
        }
        try {
            return PlatformKey.read(secrets.keyFile());
        } catch (IOException e) {
            throw new UncheckedIOException("psip.secrets.key-file " + secrets.keyFile() + " cannot be read", e);
        }
    }
}
