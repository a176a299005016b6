package io.psip.provisioning.domain;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.nio.file.Path;

/**
 * {@code psip.secrets.key-file}: the platform key file ({@code io.psip.schemas.crypto.PlatformKey}) that seals
 * the digest users' HA1s on {@code psip.domains}. Required: without it the service does not start, as it would
 * otherwise publish HA1s in the clear.
 */
@ConfigurationProperties("psip.secrets")
public record SecretsProperties(Path keyFile) {
}
