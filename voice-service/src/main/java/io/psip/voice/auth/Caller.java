package io.psip.voice.auth;

/** Who a verified token speaks for: an application, and the account (tenant) that owns it. */
public record Caller(String applicationId, String accountId) {
}
