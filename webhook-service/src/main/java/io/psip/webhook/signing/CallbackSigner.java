package io.psip.webhook.signing;

import io.psip.webhook.application.Application;
import io.psip.webhook.http.RequestSigner;

/** Which signer an application's webhook requests get: unsigned unless it has {@code signed_callbacks}. */
@FunctionalInterface
public interface CallbackSigner {

    /** For tests and wiring without accounts: nothing is signed. */
    CallbackSigner NEVER = application -> RequestSigner.UNSIGNED;

    RequestSigner forApplication(Application application);
}
