package io.psip.provisioning.account;

import io.psip.provisioning.PsipProperties;
import io.psip.schemas.crypto.AccountSecrets;
import io.psip.schemas.crypto.DigestUserSecrets;
import io.psip.schemas.crypto.PlatformKey;
import org.springframework.stereotype.Component;

import java.util.UUID;

/**
 * An account's SIP Connect digest credentials: username the API key, password the API secret, realm
 * {@code sip.<psip.base-domain>} (one realm for every region). Only their HA1s exist, and only sealed under the
 * platform key, computed when a secret is set: the secret itself is kept as bcrypt alone.
 */
@Component
class SipConnectCredentials {

    private final PlatformKey key;
    private final String realm;

    SipConnectCredentials(PlatformKey key, PsipProperties props) {
        this.key = key;
        this.realm = AccountSecrets.realm(props.baseDomain());
    }

    AccountSecrets.Sealed seal(UUID accountId, String apiKey, String apiSecret) {
        return AccountSecrets.seal(key, accountId.toString(), apiKey,
                DigestUserSecrets.Ha1s.of(apiKey, realm, apiSecret));
    }

    /** Sealed under this platform key; under a replaced key file routing cannot open them. */
    boolean usable(AccountSecrets.Sealed sealed) {
        return sealed != null && key.sealedThis(sealed.md5()) && key.sealedThis(sealed.sha256());
    }
}
