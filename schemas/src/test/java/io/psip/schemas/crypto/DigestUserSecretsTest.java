package io.psip.schemas.crypto;

import io.psip.events.DigestUser;
import io.psip.schemas.crypto.DigestUserSecrets.Ha1s;
import io.psip.schemas.crypto.DigestUserSecrets.Unusable;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DigestUserSecretsTest {

    private static final Ha1s HA1S = new Ha1s("939e7578ed9e3c518a452acee763bce9",
            "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232");
    private final PlatformKey key = PlatformKey.generate();

    @Test
    void sealedHa1sOpenForTheirDomainAndUserOnly() {
        DigestUser alice = DigestUserSecrets.seal(key, "acme", "alice", HA1S);
        assertThat(alice.toString()).doesNotContain(HA1S.md5()).doesNotContain(HA1S.sha256());
        assertThat(DigestUserSecrets.open(key, "acme", alice).ha1s()).isEqualTo(HA1S);

        // alice's ciphertexts under bob's name, or in another domain, or md5 and sha256 swapped
        DigestUser moved = new DigestUser("bob", alice.getSealedHa1Md5(), alice.getSealedHa1Sha256());
        assertThat(DigestUserSecrets.open(key, "acme", moved).unusable()).isEqualTo(Unusable.DOES_NOT_OPEN);
        assertThat(DigestUserSecrets.open(key, "other", alice).unusable()).isEqualTo(Unusable.DOES_NOT_OPEN);
        DigestUser swapped = new DigestUser("alice", alice.getSealedHa1Sha256(), alice.getSealedHa1Md5());
        assertThat(DigestUserSecrets.open(key, "acme", swapped).unusable()).isEqualTo(Unusable.DOES_NOT_OPEN);
    }

    @Test
    void withoutTheKeyOrWithoutSealedValuesTheUserIsUnusable() {
        DigestUser alice = DigestUserSecrets.seal(key, "acme", "alice", HA1S);
        assertThat(DigestUserSecrets.open(null, "acme", alice)).isEqualTo(new DigestUserSecrets.Opened(null, Unusable.OTHER_KEY));
        assertThat(DigestUserSecrets.open(PlatformKey.generate(), "acme", alice).unusable()).isEqualTo(Unusable.OTHER_KEY);
        DigestUser old = new DigestUser("alice", null, null);
        assertThat(DigestUserSecrets.open(key, "acme", old).unusable()).isEqualTo(Unusable.NOT_SEALED);
    }
}
