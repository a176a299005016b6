package io.psip.schemas.crypto;

import io.psip.schemas.crypto.DigestUserSecrets.Ha1s;
import io.psip.schemas.crypto.DigestUserSecrets.Unusable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class AccountSecretsTest {

    private final PlatformKey key = PlatformKey.generate();

    @Test
    void ha1sAreRfc7616sForTheApiKeyInTheSipConnectRealm() {
        Ha1s ha1s = Ha1s.of("psiplocal", AccountSecrets.realm("example.com"), "psiplocalsecret");
        // echo -n psiplocal:sip.example.com:psiplocalsecret | md5sum / sha256sum
        assertThat(ha1s.md5()).isEqualTo("cd9cf6218b126481a1806318656718d8");
        assertThat(ha1s.sha256()).isEqualTo("25cc1190bb02e2a809a45dcb2314ded7cbc834f5ada1a860298026ab129c7f73");
    }

    @Test
    void sealedHa1sOpenForTheirAccountAndApiKeyOnly() {
        Ha1s ha1s = Ha1s.of("key1", "sip.example.com", "secret");
        AccountSecrets.Sealed sealed = AccountSecrets.seal(key, "acc-1", "key1", ha1s);
        assertThat(AccountSecrets.open(key, "acc-1", "key1", sealed.md5(), sealed.sha256()).ha1s()).isEqualTo(ha1s);

        assertThat(AccountSecrets.open(key, "acc-2", "key1", sealed.md5(), sealed.sha256()).unusable())
                .isEqualTo(Unusable.DOES_NOT_OPEN);
        assertThat(AccountSecrets.open(key, "acc-1", "key2", sealed.md5(), sealed.sha256()).unusable())
                .isEqualTo(Unusable.DOES_NOT_OPEN);
        assertThat(AccountSecrets.open(key, "acc-1", "key1", sealed.sha256(), sealed.md5()).unusable())
                .isEqualTo(Unusable.DOES_NOT_OPEN);
        // a domain user's ciphertext is not an account's, even with the same names
        var user = DigestUserSecrets.seal(key, "acc-1", "key1", ha1s);
        assertThat(AccountSecrets.open(key, "acc-1", "key1", user.getSealedHa1Md5(), user.getSealedHa1Sha256())
                .unusable()).isEqualTo(Unusable.DOES_NOT_OPEN);
    }

    @Test
    void withoutKeyApiKeyOrSealedValuesNothingOpens() {
        AccountSecrets.Sealed sealed = AccountSecrets.seal(key, "acc-1", "key1", Ha1s.of("key1", "r", "s"));
        assertThat(AccountSecrets.open(null, "acc-1", "key1", sealed.md5(), sealed.sha256()).unusable())
                .isEqualTo(Unusable.OTHER_KEY);
        assertThat(AccountSecrets.open(key, "acc-1", null, sealed.md5(), sealed.sha256()).unusable())
                .isEqualTo(Unusable.NOT_SEALED);
        assertThat(AccountSecrets.open(key, "acc-1", "key1", null, null).unusable()).isEqualTo(Unusable.NOT_SEALED);
    }

    @Test
    void theSignatureSecretOpensForItsAccountAndFieldOnly() {
        var sealed = AccountSecrets.sealSignatureSecret(key, "acc-1", "0123456789abcdef0123456789abcdef");
        assertThat(AccountSecrets.openSignatureSecret(key, "acc-1", sealed).secret())
                .isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(AccountSecrets.openSignatureSecret(key, "acc-1", sealed).toString()).doesNotContain("0123");

        assertThat(AccountSecrets.openSignatureSecret(key, "acc-2", sealed).unusable()).isEqualTo(Unusable.DOES_NOT_OPEN);
        assertThat(AccountSecrets.openSignatureSecret(PlatformKey.generate(), "acc-1", sealed).unusable())
                .isEqualTo(Unusable.OTHER_KEY);
        assertThat(AccountSecrets.openSignatureSecret(null, "acc-1", sealed).unusable()).isEqualTo(Unusable.OTHER_KEY);
        assertThat(AccountSecrets.openSignatureSecret(key, "acc-1", null).unusable()).isEqualTo(Unusable.NOT_SEALED);
        // an HA1 sealed for the same account is another field
        AccountSecrets.Sealed ha1s = AccountSecrets.seal(key, "acc-1", "key1", Ha1s.of("key1", "r", "s"));
        assertThat(AccountSecrets.openSignatureSecret(key, "acc-1", ha1s.md5()).unusable())
                .isEqualTo(Unusable.DOES_NOT_OPEN);
    }
}
