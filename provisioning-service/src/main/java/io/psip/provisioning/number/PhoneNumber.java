package io.psip.provisioning.number;

import java.util.UUID;

/** An E.164 number (digits only, no leading +) owned by an account and linked to one of its applications. */
public record PhoneNumber(String number, UUID accountId, UUID applicationId, long version) {
}
