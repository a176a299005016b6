package io.psip.console;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code apiUrl}: provisioning's base URL as the browser reaches it (provisioning must allow this origin by CORS). */
@ConfigurationProperties("psip.console")
public record ConsoleProperties(String apiUrl) {
}
