package io.psip.webhook.account;

import io.psip.events.AccountChanged;
import io.psip.events.ChangeType;
import io.psip.schemas.crypto.AccountSecrets;
import io.psip.schemas.crypto.DigestUserSecrets.Unusable;
import io.psip.schemas.crypto.PlatformKey;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class AccountTableTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    private final PlatformKey key = PlatformKey.generate();
    private final AccountTable table = new AccountTable(key);

    @Test
    void opensTheSignatureSecretAndKeepsTheNewestVersion() {
        table.apply("acc-1", changed("acc-1", 2, ChangeType.UPDATED, AccountSecrets.sealSignatureSecret(key, "acc-1", SECRET)));
        Account account = table.find("acc-1").orElseThrow();
        assertThat(account.apiKey()).isEqualTo("key-acc-1");
        assertThat(account.usableSignatureSecret()).contains(SECRET);
        assertThat(account.toString()).doesNotContain(SECRET).contains("acc-1");

        table.apply("acc-1", changed("acc-1", 1, ChangeType.CREATED,
                AccountSecrets.sealSignatureSecret(key, "acc-1", "older-secret-older-secret-older-s")));
        assertThat(table.find("acc-1").orElseThrow().usableSignatureSecret()).contains(SECRET);
    }

    @Test
    void aSecretThatDoesNotOpenHereIsKeptAsUnusable() {
        table.apply("acc-1", changed("acc-1", 1, ChangeType.CREATED, null));
        assertThat(table.find("acc-1").orElseThrow().unusable()).isEqualTo(Unusable.NOT_SEALED);
        table.apply("acc-2", changed("acc-2", 1, ChangeType.CREATED,
                AccountSecrets.sealSignatureSecret(key, "acc-1", SECRET)));
        assertThat(table.find("acc-2").orElseThrow().unusable()).isEqualTo(Unusable.DOES_NOT_OPEN);
        AccountTable withoutKey = new AccountTable(null);
        withoutKey.apply("acc-1", changed("acc-1", 1, ChangeType.CREATED,
                AccountSecrets.sealSignatureSecret(key, "acc-1", SECRET)));
        assertThat(withoutKey.find("acc-1").orElseThrow().usableSignatureSecret()).isEmpty();
        assertThat(withoutKey.find("acc-1").orElseThrow().unusable()).isEqualTo(Unusable.OTHER_KEY);
    }

    @Test
    void deletionAndTombstoneForgetTheAccount() {
        table.apply("acc-1", changed("acc-1", 1, ChangeType.CREATED, AccountSecrets.sealSignatureSecret(key, "acc-1", SECRET)));
        table.apply("acc-1", changed("acc-1", 2, ChangeType.DELETED, AccountSecrets.sealSignatureSecret(key, "acc-1", SECRET)));
        assertThat(table.find("acc-1")).isEmpty();
        table.apply("acc-1", changed("acc-1", 1, ChangeType.CREATED, AccountSecrets.sealSignatureSecret(key, "acc-1", SECRET)));
        assertThat(table.find("acc-1")).as("a stale record does not resurrect it").isEmpty();
        table.apply("acc-1", null);
        assertThat(table.size()).isZero();
    }

    private static AccountChanged changed(String id, long version, ChangeType type,
                                          io.psip.events.SealedSecret sealed) {
        return AccountChanged.newBuilder().setEventId("e").setVersion(version).setOccurredAt(Instant.now())
                .setChangeType(type).setAccountId(id).setApiKey("key-" + id).setSealedSignatureSecret(sealed).build();
    }
}
