package io.psip.provisioning.account;

import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;

import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * The authenticated tenant of a request; every query is scoped by its {@link #accountId()}. A suspended account
 * authenticates (so a wrong secret still answers 401, and a right one learns why it is refused) but has no role,
 * so every API path refuses it with 403.
 */
public final class AccountPrincipal implements UserDetails {

    private final UUID accountId;
    private final String apiKey;
    private final String secretHash;
    private final boolean admin;
    private final boolean suspended;

    public AccountPrincipal(Account account) {
        this.accountId = account.id();
        this.apiKey = account.apiKey();
        this.secretHash = account.secretHash();
        this.admin = account.admin();
        this.suspended = account.status() == Account.Status.SUSPENDED;
    }

    public UUID accountId() {
        return accountId;
    }

    public boolean admin() {
        return admin;
    }

    public boolean suspended() {
        return suspended;
    }

    @Override
    public Collection<? extends GrantedAuthority> getAuthorities() {
        if (suspended) {
            return List.of();
        }
        return admin ? List.of(new SimpleGrantedAuthority("ROLE_ADMIN"), new SimpleGrantedAuthority("ROLE_TENANT"))
                : List.of(new SimpleGrantedAuthority("ROLE_TENANT"));
    }

    @Override
    public String getPassword() {
        return secretHash;
    }

    @Override
    public String getUsername() {
        return apiKey;
    }

    /** Without the secret hash. */
    @Override
    public String toString() {
        return "AccountPrincipal[accountId=" + accountId + ", apiKey=" + apiKey + "]";
    }
}
