package io.psip.provisioning.application;

import java.util.UUID;

/** A voice application; any webhook may be absent, and so may the public key of one created before keys existed. */
public record Application(UUID id, UUID accountId, String name, Webhook answerUrl, Webhook fallbackAnswerUrl,
                          Webhook eventUrl, boolean signedCallbacks, String publicKey, long version) {
}
