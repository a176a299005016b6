package io.psip.provisioning.application;

/** One voice webhook; timeouts in milliseconds. */
public record Webhook(String address, String httpMethod, int connectionTimeout, int socketTimeout) {
}
