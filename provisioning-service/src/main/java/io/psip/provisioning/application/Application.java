package io.psip.provisioning.application;

import java.util.UUID;

/** A voice application; any webhook may be absent. */
public record Application(UUID id, UUID accountId, String name, Webhook answerUrl, Webhook fallbackAnswerUrl,
                          Webhook eventUrl, boolean signedCallbacks, long version) {
}
