package io.psip.provisioning.account;

import io.psip.events.ChangeType;
import io.psip.provisioning.ConflictException;
import io.psip.provisioning.InvalidRequestException;
import io.psip.provisioning.NotFoundException;
import io.psip.provisioning.PsipProperties;
import io.psip.provisioning.outbox.Outbox;
import io.psip.schemas.Topics;
import io.psip.schemas.net.DestinationPattern;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Creates, rotates, suspends and deletes accounts and sets their destination allow-lists. Secrets are returned
 * once, at creation or rotation. Every change publishes an AccountChanged through the outbox (with the signature
 * secret sealed, see {@link AccountEvents}); setting an API secret also sets the account's sealed SIP Connect HA1s
 * (see {@link SipConnectCredentials}).
 */
@Service
public class AccountService {

    private static final Pattern API_KEY = Pattern.compile("[A-Za-z0-9._-]{4,64}");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Enough for a tenant's carriers and PBXs; a list routing checks on every connect stays short. */
    public static final int MAX_DESTINATIONS = 50;

    private final AccountRepository accounts;
    private final PasswordEncoder passwordEncoder;
    private final Outbox outbox;
    private final SipConnectCredentials sipConnect;
    private final AccountEvents events;
    private final String bootstrapApiKey;

    AccountService(AccountRepository accounts, PasswordEncoder passwordEncoder, Outbox outbox,
                   SipConnectCredentials sipConnect, AccountEvents events, PsipProperties props) {
        this.accounts = accounts;
        this.passwordEncoder = passwordEncoder;
        this.outbox = outbox;
        this.sipConnect = sipConnect;
        this.events = events;
        this.bootstrapApiKey = props.bootstrapAccount().apiKey();
    }

    /** An account with its secrets in clear, as shown exactly once to the admin who created or rotated it. */
    public record IssuedCredentials(Account account, String apiSecret, String signatureSecret) {

        @Override
        public String toString() {
            return "IssuedCredentials[account=" + account + "]";
        }
    }

    /**
     * Creates the configured bootstrap admin account if there is none with its API key. An existing one keeps
     * whatever secret it has now: it may have been rotated, and a restart must not bring the configured (and
     * widely known) secret back. If it has no usable SIP Connect HA1s (it predates them, or the platform key file
     * was replaced) and its secret is still the configured one, they are computed from that; a rotated account
     * gets them with its next rotation.
     *
     * @return the account as it is now, whether this call created it, and the state of its SIP Connect HA1s
     */
    @Transactional
    public Bootstrapped ensureBootstrapAccount(String apiKey, String apiSecret) {
        Account existing = accounts.findByApiKey(apiKey).orElse(null);
        if (existing != null) {
            accounts.makeAdmin(existing.id());
            if (!sipConnect.usable(existing.sipConnect()) && passwordEncoder.matches(apiSecret, existing.secretHash())) {
                long version = outbox.nextVersion(Topics.ACCOUNTS, existing.id().toString());
                Account locked = accounts.findByIdForUpdate(existing.id()).orElseThrow();
                // another instance sharing the database may have done it (or rotated the secret) meanwhile
                if (!sipConnect.usable(locked.sipConnect()) && locked.secretHash().equals(existing.secretHash())) {
                    Account completed = locked.withSecret(locked.secretHash(),
                            sipConnect.seal(locked.id(), locked.apiKey(), apiSecret), version);
                    accounts.updateSecret(completed);
                    publish(completed, ChangeType.UPDATED);
                    return new Bootstrapped(completed, false, SipConnect.SET_NOW);
                }
            }
            return existingBootstrap(existing.id());
        }
        UUID id = UUID.randomUUID();
        Account account = new Account(id, apiKey, passwordEncoder.encode(apiSecret), randomSecret(), true, List.of(),
                Account.Status.ACTIVE, sipConnect.seal(id, apiKey, apiSecret), 1);
        if (!accounts.insert(account)) {
            // another instance sharing the database created it first
            return existingBootstrap(accounts.findByApiKey(apiKey).orElseThrow().id());
        }
        publishCreated(account);
        return new Bootstrapped(account, true, SipConnect.SET_NOW);
    }

    /**
     * Seals the signature secrets still stored in clear (accounts from before they were sealed) and republishes
     * each such account as UPDATED, so webhook-service gets every account's secret after the upgrade. Under the row
     * lock, so of instances sharing the database only one seals and publishes each.
     *
     * @return how many this call sealed
     */
    @Transactional
    public int sealClearSignatureSecrets() {
        int sealed = 0;
        for (UUID id : accounts.withClearSignatureSecret()) {
            long version = outbox.nextVersion(Topics.ACCOUNTS, id.toString());
            Account locked = accounts.findByIdForUpdate(id).orElse(null);
            if (locked == null) {
                continue;
            }
            Account updated = locked.withSignatureSecret(locked.signatureSecret(), version);
            if (accounts.sealClearSignatureSecret(updated)) {
                publish(updated, ChangeType.UPDATED);
                sealed++;
            }
        }
        return sealed;
    }

    private Bootstrapped existingBootstrap(UUID id) {
        Account current = publishSnapshot(id);
        return new Bootstrapped(current, false,
                sipConnect.usable(current.sipConnect()) ? SipConnect.PRESENT : SipConnect.MISSING);
    }

    /**
     * Re-publishes an account as it is now (the bootstrap account at every start, so routing knows it even if it
     * predates psip.accounts); the row lock orders it after any change in progress.
     */
    private Account publishSnapshot(UUID id) {
        Account account = accounts.findByIdForUpdate(id).orElseThrow();
        publish(account, ChangeType.SNAPSHOT);
        return account;
    }

    private void publishCreated(Account account) {
        long version = outbox.nextVersion(Topics.ACCOUNTS, account.id().toString());
        outbox.append(Topics.ACCOUNTS, account.id().toString(), events.changed(account, ChangeType.CREATED),
                version);
    }

    private void publish(Account account, ChangeType type) {
        outbox.append(Topics.ACCOUNTS, account.id().toString(), events.changed(account, type),
                account.version());
    }

    public record Bootstrapped(Account account, boolean created, SipConnect sipConnect) {
    }

    /** The bootstrap account's SIP Connect HA1s after the call. */
    public enum SipConnect {
        /** Computed by this call, from the configured secret. */
        SET_NOW,
        PRESENT,
        /** None it can use, and its secret is no longer the configured one: they come with the next rotation. */
        MISSING
    }

    /** A new tenant; the API key is chosen by the admin or generated. */
    @Transactional
    public IssuedCredentials create(String requestedApiKey, boolean admin) {
        String apiKey = requestedApiKey == null ? randomApiKey() : requestedApiKey;
        if (!API_KEY.matcher(apiKey).matches()) {
            throw InvalidRequestException.of("api_key", "must be 4-64 letters, digits, '.', '_' or '-'");
        }
        String secret = randomSecret();
        String signatureSecret = randomSecret();
        UUID id = UUID.randomUUID();
        Account account = new Account(id, apiKey, passwordEncoder.encode(secret), signatureSecret, admin, List.of(),
                Account.Status.ACTIVE, sipConnect.seal(id, apiKey, secret), 1);
        if (!accounts.insert(account)) {
            throw new ConflictException("api_key " + apiKey + " is taken");
        }
        publishCreated(account);
        return new IssuedCredentials(account, secret, signatureSecret);
    }

    /**
     * Replaces an account's destination allow-list with the normal forms of {@code entries} (duplicates dropped,
     * order kept); an empty list lifts the account's own restriction.
     */
    @Transactional
    public Account setDestinationAllow(UUID accountId, List<String> entries) {
        List<String> normal = destinationAllow(entries);
        long version = outbox.nextVersion(Topics.ACCOUNTS, accountId.toString());
        Account updated = find(accountId).withDestinationAllow(normal, version);
        accounts.updateDestinationAllow(accountId, normal, version);
        publish(updated, ChangeType.UPDATED);
        return updated;
    }

    /**
     * Suspends or reactivates an account: a suspended one is refused by the API (403) and, once routing has the
     * event, on SIP Connect. Setting the status it has changes nothing and publishes nothing.
     */
    @Transactional
    public Account setStatus(UUID accountId, Account.Status status) {
        Account current = find(accountId);
        if (current.status() == status) {
            return current;
        }
        refuseBootstrap(current, "suspended");
        long version = outbox.nextVersion(Topics.ACCOUNTS, accountId.toString());
        Account changed = find(accountId).withStatus(status, version);
        accounts.updateStatus(accountId, status, version);
        publish(changed, ChangeType.UPDATED);
        return changed;
    }

    /**
     * Deletes an account that owns nothing any more (409 while an application, domain or number is its): publishes
     * DELETED (its last snapshot) and then a tombstone, so compaction drops the key. The version counter stays.
     */
    @Transactional
    public void delete(UUID accountId) {
        refuseBootstrap(find(accountId), "deleted");
        long version = outbox.nextVersion(Topics.ACCOUNTS, accountId.toString());
        // the row lock waits for a tenant's insert in progress (its foreign key check holds a share lock on the
        // row), so an application, domain or number it commits is seen here
        Account current = accounts.findByIdForUpdate(accountId).orElseThrow(() -> notFound(accountId));
        if (accounts.ownsResources(accountId)) {
            throw new ConflictException("Account " + accountId + " still has applications, domains or numbers:"
                    + " delete them first, or suspend the account");
        }
        accounts.delete(accountId);
        Account last = current.withStatus(current.status(), version);
        publish(last, ChangeType.DELETED);
        outbox.appendTombstone(Topics.ACCOUNTS, accountId.toString(), version);
    }

    /** The bootstrap account is the operator's way in, re-created at the next start if it were gone. */
    private void refuseBootstrap(Account account, String what) {
        if (account.apiKey().equals(bootstrapApiKey)) {
            throw new ConflictException("Account " + account.id() + " is the bootstrap admin account"
                    + " (psip.bootstrap-account.api-key) and cannot be " + what);
        }
    }

    /** Validates every entry, naming each bad one by its index. */
    static List<String> destinationAllow(List<String> entries) {
        if (entries == null) {
            throw InvalidRequestException.of("destination_allow", "is required (an empty list lifts the restriction)");
        }
        if (entries.size() > MAX_DESTINATIONS) {
            throw InvalidRequestException.of("destination_allow", "must have at most " + MAX_DESTINATIONS + " entries");
        }
        List<InvalidRequestException.InvalidParameter> problems = new ArrayList<>();
        Set<String> normal = new LinkedHashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            try {
                normal.add(DestinationPattern.parse(entries.get(i)).toString());
            } catch (IllegalArgumentException e) {
                problems.add(new InvalidRequestException.InvalidParameter("destination_allow[" + i + "]",
                        e.getMessage()));
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        return List.copyOf(normal);
    }

    /**
     * A new API secret and with it new SIP Connect HA1s, published as UPDATED with a new version: the old secret
     * stops working on the API at once and on SIP Connect as soon as routing has the event.
     */
    @Transactional
    public IssuedCredentials rotateSecret(UUID accountId) {
        long version = outbox.nextVersion(Topics.ACCOUNTS, accountId.toString());
        Account account = find(accountId);
        String secret = randomSecret();
        Account rotated = account.withSecret(passwordEncoder.encode(secret),
                sipConnect.seal(account.id(), account.apiKey(), secret), version);
        accounts.updateSecret(rotated);
        publish(rotated, ChangeType.UPDATED);
        return new IssuedCredentials(rotated, secret, null);
    }

    /**
     * A new signature secret, published (sealed) as UPDATED with a new version: webhook-service signs with it as
     * soon as it has the event, so a receiver may see the old one on requests already under way.
     */
    @Transactional
    public IssuedCredentials rotateSignatureSecret(UUID accountId) {
        long version = outbox.nextVersion(Topics.ACCOUNTS, accountId.toString());
        Account rotated = find(accountId).withSignatureSecret(randomSecret(), version);
        accounts.updateSignatureSecret(rotated);
        publish(rotated, ChangeType.UPDATED);
        return new IssuedCredentials(rotated, null, rotated.signatureSecret());
    }

    private Account find(UUID accountId) {
        return accounts.findById(accountId).orElseThrow(() -> notFound(accountId));
    }

    private static NotFoundException notFound(UUID accountId) {
        return new NotFoundException("account " + accountId);
    }

    private static String randomApiKey() {
        byte[] bytes = new byte[4];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String randomSecret() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
