package io.psip.routing.table;

import io.psip.schemas.kafka.VersionedTable;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory tables a routing instance routes with. Domain names are case-insensitive. Accounts are also found
 * by API key (the SIP Connect digest username), through an index that account changes keep up to date.
 */
public final class RoutingTables {

    private final VersionedTable<Domain> domains = new VersionedTable<>();
    private final VersionedTable<Application> applications = new VersionedTable<>();
    private final VersionedTable<NumberRoute> numbers = new VersionedTable<>();
    private final VersionedTable<Account> accounts = new VersionedTable<>();
    private final Map<String, String> accountIdsByApiKey = new ConcurrentHashMap<>();

    public VersionedTable<Domain> domains() {
        return domains;
    }

    public VersionedTable<Application> applications() {
        return applications;
    }

    public VersionedTable<NumberRoute> numbers() {
        return numbers;
    }

    /** Live accounts. */
    public long accountCount() {
        return accounts.size();
    }

    public Optional<Account> account(String id) {
        return id == null ? Optional.empty() : accounts.get(id);
    }

    /**
     * The account whose API key this is. The account table has the last word: an index entry left behind by a
     * change it has not caught up with yet never names an account whose key this no longer is.
     */
    public Optional<Account> accountByApiKey(String apiKey) {
        String id = apiKey == null ? null : accountIdsByApiKey.get(apiKey);
        return account(id).filter(account -> apiKey.equals(account.apiKey()));
    }

    /**
     * Stores {@code account} if its version is newer than the one held, and moves its API key in the index.
     * Synchronized with the other account changes so that the held account read here is the one replaced.
     */
    public synchronized void upsertAccount(Account account) {
        Optional<Account> held = accounts.get(account.id());
        if (!accounts.upsert(account.id(), account.version(), account)) {
            return;
        }
        // The new key first, so a call authenticating with an unchanged key never finds it missing.
        if (account.apiKey() != null) {
            accountIdsByApiKey.put(account.apiKey(), account.id());
        }
        held.filter(old -> old.apiKey() != null && !old.apiKey().equals(account.apiKey()))
                .ifPresent(this::unindex);
    }

    /** Marks the account deleted at {@code version} if that is newer; its API key then names no account. */
    public synchronized void deleteAccount(String id, long version) {
        Optional<Account> held = accounts.get(id);
        if (accounts.delete(id, version)) {
            held.ifPresent(this::unindex);
        }
    }

    /** A Kafka tombstone: the account is gone for good, and its API key with it. */
    public synchronized void tombstoneAccount(String id) {
        accounts.get(id).ifPresent(this::unindex);
        accounts.tombstone(id);
    }

    private void unindex(Account account) {
        if (account.apiKey() != null) {
            accountIdsByApiKey.remove(account.apiKey(), account.id());
        }
    }

    public Optional<Domain> domain(String name) {
        return domains.get(domainKey(name));
    }

    public Optional<Application> application(String id) {
        return id == null ? Optional.empty() : applications.get(id);
    }

    /** {@code number}: E.164 without the leading +, as numbers are stored. */
    public Optional<NumberRoute> number(String number) {
        return numbers.get(number);
    }

    public static String domainKey(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
