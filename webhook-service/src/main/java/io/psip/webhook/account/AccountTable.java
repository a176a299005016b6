package io.psip.webhook.account;

import io.psip.events.AccountChanged;
import io.psip.events.ChangeType;
import io.psip.schemas.crypto.AccountSecrets;
import io.psip.schemas.crypto.PlatformKey;
import io.psip.schemas.kafka.VersionedTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * Accounts by id, rebuilt from the compacted {@code psip.accounts} topic with the version-idempotent
 * {@link VersionedTable} (as the applications table): each keeps its API key and its signature secret, opened with
 * the platform key as the record arrives.
 */
public class AccountTable {

    private static final Logger log = LoggerFactory.getLogger(AccountTable.class);

    private final VersionedTable<Account> accounts = new VersionedTable<>();
    private final PlatformKey key;

    /** {@code key}: the platform key, or null when none is configured (then no secret opens). */
    public AccountTable(PlatformKey key) {
        this.key = key;
    }

    /** Applies one record of the topic; {@code changed} is null for a tombstone. */
    public void apply(String accountId, AccountChanged changed) {
        if (changed == null) {
            accounts.tombstone(accountId);
            return;
        }
        if (changed.getChangeType() == ChangeType.DELETED) {
            accounts.delete(accountId, changed.getVersion());
            return;
        }
        AccountSecrets.SignatureSecret secret =
                AccountSecrets.openSignatureSecret(key, accountId, changed.getSealedSignatureSecret());
        Account account = new Account(accountId, changed.getApiKey(), secret.secret(), secret.unusable());
        if (!accounts.upsert(accountId, changed.getVersion(), account)) {
            log.debug("ignoring account {} version {} (have a newer or equal one)", accountId, changed.getVersion());
        } else if (secret.secret() == null) {
            log.warn("account {} version {}: its signature secret cannot be used here ({}), so its signed "
                    + "applications' webhooks are not sent", accountId, changed.getVersion(), secret.unusable());
        }
    }

    public Optional<Account> find(String accountId) {
        return accountId == null ? Optional.empty() : accounts.get(accountId);
    }

    public int size() {
        return (int) accounts.size();
    }

    /** The newest version held (the admin view shows how far the table has come). */
    public long maxVersion() {
        return accounts.maxVersion();
    }
}
