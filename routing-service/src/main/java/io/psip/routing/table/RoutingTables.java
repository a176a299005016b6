package io.psip.routing.table;

import io.psip.schemas.kafka.VersionedTable;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-memory tables a routing instance routes with. Domain names are case-insensitive. Accounts are also found
 * by API key (the SIP Connect digest username), through an index that account changes keep up to date.
 *
 * <p>A facade over one table set: a rebuild fills a set {@link #aside()} while this one keeps serving, then
 * {@link #swapIn} makes it the one every holder of this object reads, at once and for all tables together.
 */
public final class RoutingTables {

    /** One generation of tables. */
    private static final class TableSet {
        final VersionedTable<Domain> domains = new VersionedTable<>();
        final VersionedTable<Application> applications = new VersionedTable<>();
        final VersionedTable<NumberRoute> numbers = new VersionedTable<>();
        final VersionedTable<Account> accounts = new VersionedTable<>();
        final Map<String, String> accountIdsByApiKey = new ConcurrentHashMap<>();
    }

    private volatile TableSet set;

    public RoutingTables() {
        this(new TableSet());
    }

    private RoutingTables(TableSet set) {
        this.set = set;
    }

    /** Empty tables to build aside; nobody routes with them until they are {@link #swapIn swapped in}. */
    public RoutingTables aside() {
        return new RoutingTables(new TableSet());
    }

    /**
     * From now on this object reads and writes {@code built}'s tables (and so does {@code built}): whoever writes
     * through {@code built}, its readers, keeps these tables current. The set held before is dropped.
     */
    public void swapIn(RoutingTables built) {
        set = built.set;
    }

    public VersionedTable<Domain> domains() {
        return set.domains;
    }

    public VersionedTable<Application> applications() {
        return set.applications;
    }

    public VersionedTable<NumberRoute> numbers() {
        return set.numbers;
    }

    /** For the admin view; account changes go through the methods below, which keep the API key index. */
    VersionedTable<Account> accountTable() {
        return set.accounts;
    }

    /** Live accounts. */
    public long accountCount() {
        return set.accounts.size();
    }

    public Optional<Account> account(String id) {
        return id == null ? Optional.empty() : set.accounts.get(id);
    }

    /**
     * The account whose API key this is. The account table has the last word: an index entry left behind by a
     * change it has not caught up with yet never names an account whose key this no longer is.
     */
    public Optional<Account> accountByApiKey(String apiKey) {
        TableSet tables = set;
        String id = apiKey == null ? null : tables.accountIdsByApiKey.get(apiKey);
        return (id == null ? Optional.<Account>empty() : tables.accounts.get(id))
                .filter(account -> apiKey.equals(account.apiKey()));
    }

    /**
     * Stores {@code account} if its version is newer than the one held, and moves its API key in the index.
     * Synchronized with the other account changes of the same set, so that the held account read here is the one
     * replaced.
     */
    public void upsertAccount(Account account) {
        TableSet tables = set;
        synchronized (tables) {
            Optional<Account> held = tables.accounts.get(account.id());
            if (!tables.accounts.upsert(account.id(), account.version(), account)) {
                return;
            }
            // The new key first, so a call authenticating with an unchanged key never finds it missing.
            if (account.apiKey() != null) {
                tables.accountIdsByApiKey.put(account.apiKey(), account.id());
            }
            held.filter(old -> old.apiKey() != null && !old.apiKey().equals(account.apiKey()))
                    .ifPresent(old -> unindex(tables, old));
        }
    }

    /** Marks the account deleted at {@code version} if that is newer; its API key then names no account. */
    public void deleteAccount(String id, long version) {
        TableSet tables = set;
        synchronized (tables) {
            Optional<Account> held = tables.accounts.get(id);
            if (tables.accounts.delete(id, version)) {
                held.ifPresent(old -> unindex(tables, old));
            }
        }
    }

    /** A Kafka tombstone: the account is gone for good, and its API key with it. */
    public void tombstoneAccount(String id) {
        TableSet tables = set;
        synchronized (tables) {
            tables.accounts.get(id).ifPresent(old -> unindex(tables, old));
            tables.accounts.tombstone(id);
        }
    }

    private static void unindex(TableSet tables, Account account) {
        if (account.apiKey() != null) {
            tables.accountIdsByApiKey.remove(account.apiKey(), account.id());
        }
    }

    public Optional<Domain> domain(String name) {
        return set.domains.get(domainKey(name));
    }

    public Optional<Application> application(String id) {
        return id == null ? Optional.empty() : set.applications.get(id);
    }

    /** {@code number}: E.164 without the leading +, as numbers are stored. */
    public Optional<NumberRoute> number(String number) {
        return set.numbers.get(number);
    }

    public static String domainKey(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
