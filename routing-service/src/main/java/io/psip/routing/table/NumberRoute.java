package io.psip.routing.table;

/** An E.164 number (no leading +) linked to an application, for SIP Connect. */
public record NumberRoute(String number, long version, String accountId, String applicationId) {
}
