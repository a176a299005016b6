package io.psip.provisioning.account;

import io.psip.events.ChangeType;
import io.psip.provisioning.ConflictException;
import io.psip.provisioning.InvalidRequestException;
import io.psip.provisioning.NotFoundException;
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
 * Creates accounts, rotates their secrets and sets their destination allow-lists. Secrets are returned once, at
 * creation or rotation. Creation and allow-list changes publish an AccountChanged through the outbox.
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

    public AccountService(AccountRepository accounts, PasswordEncoder passwordEncoder, Outbox outbox) {
        this.accounts = accounts;
        this.passwordEncoder = passwordEncoder;
        this.outbox = outbox;
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
     * widely known) secret back.
     *
     * @return the account, and whether it was created by this call
     */
    @Transactional
    public Bootstrapped ensureBootstrapAccount(String apiKey, String apiSecret) {
        Account existing = accounts.findByApiKey(apiKey).orElse(null);
        if (existing != null) {
            accounts.makeAdmin(existing.id());
            publishSnapshot(existing.id());
            return new Bootstrapped(existing, false);
        }
        Account account = new Account(UUID.randomUUID(), apiKey, passwordEncoder.encode(apiSecret), randomSecret(), true,
                List.of(), 1);
        if (!accounts.insert(account)) {
            // another instance sharing the database created it first
            Account other = accounts.findByApiKey(apiKey).orElseThrow();
            publishSnapshot(other.id());
            return new Bootstrapped(other, false);
        }
        publishCreated(account);
        return new Bootstrapped(account, true);
    }

    /**
     * Re-publishes an account as it is now (the bootstrap account at every start, so routing knows it even if it
     * predates psip.accounts); the row lock orders it after any change in progress.
     */
    private void publishSnapshot(UUID id) {
        Account account = accounts.findByIdForUpdate(id).orElseThrow();
        outbox.append(Topics.ACCOUNTS, id.toString(), AccountEvents.changed(account, ChangeType.SNAPSHOT),
                account.version());
    }

    private void publishCreated(Account account) {
        long version = outbox.nextVersion(Topics.ACCOUNTS, account.id().toString());
        outbox.append(Topics.ACCOUNTS, account.id().toString(), AccountEvents.changed(account, ChangeType.CREATED),
                version);
    }

    public record Bootstrapped(Account account, boolean created) {
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
        Account account = new Account(UUID.randomUUID(), apiKey, passwordEncoder.encode(secret), signatureSecret, admin,
                List.of(), 1);
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
        Account account = accounts.findById(accountId).orElseThrow(() -> new NotFoundException("account " + accountId));
        accounts.updateDestinationAllow(accountId, normal, version);
        Account updated = new Account(account.id(), account.apiKey(), account.secretHash(), account.signatureSecret(),
                account.admin(), normal, version);
        outbox.append(Topics.ACCOUNTS, accountId.toString(), AccountEvents.changed(updated, ChangeType.UPDATED),
                version);
        return updated;
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

    @Transactional
    public IssuedCredentials rotateSecret(UUID accountId) {
        Account account = accounts.findById(accountId).orElseThrow(() -> new NotFoundException("account " + accountId));
        String secret = randomSecret();
        accounts.updateSecretHash(account.id(), passwordEncoder.encode(secret));
        return new IssuedCredentials(account, secret, null);
    }

    @Transactional
    public IssuedCredentials rotateSignatureSecret(UUID accountId) {
        Account account = accounts.findById(accountId).orElseThrow(() -> new NotFoundException("account " + accountId));
        String signatureSecret = randomSecret();
        accounts.updateSignatureSecret(account.id(), signatureSecret);
        return new IssuedCredentials(account, null, signatureSecret);
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
