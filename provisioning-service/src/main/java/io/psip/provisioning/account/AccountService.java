package io.psip.provisioning.account;

import io.psip.provisioning.ConflictException;
import io.psip.provisioning.InvalidRequestException;
import io.psip.provisioning.NotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.UUID;
import java.util.regex.Pattern;

/** Creates accounts and rotates their secrets. Secrets are returned once, at creation or rotation. */
@Service
public class AccountService {

    private static final Pattern API_KEY = Pattern.compile("[A-Za-z0-9._-]{4,64}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final AccountRepository accounts;
    private final PasswordEncoder passwordEncoder;

    public AccountService(AccountRepository accounts, PasswordEncoder passwordEncoder) {
        this.accounts = accounts;
        this.passwordEncoder = passwordEncoder;
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
            return new Bootstrapped(existing, false);
        }
        Account account = new Account(UUID.randomUUID(), apiKey, passwordEncoder.encode(apiSecret), randomSecret(), true);
        if (!accounts.insert(account)) {
            // another instance sharing the database created it first
            return new Bootstrapped(accounts.findByApiKey(apiKey).orElseThrow(), false);
        }
        return new Bootstrapped(account, true);
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
        Account account = new Account(UUID.randomUUID(), apiKey, passwordEncoder.encode(secret), signatureSecret, admin);
        if (!accounts.insert(account)) {
            throw new ConflictException("api_key " + apiKey + " is taken");
        }
        return new IssuedCredentials(account, secret, signatureSecret);
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
