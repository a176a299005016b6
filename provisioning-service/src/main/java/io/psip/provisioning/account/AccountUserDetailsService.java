package io.psip.provisioning.account;

import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Component;

/** Basic auth: the user name is the API key, the password the API secret. */
@Component
public class AccountUserDetailsService implements UserDetailsService {

    private final AccountRepository accounts;

    public AccountUserDetailsService(AccountRepository accounts) {
        this.accounts = accounts;
    }

    @Override
    public UserDetails loadUserByUsername(String apiKey) {
        return accounts.findByApiKey(apiKey).map(AccountPrincipal::new)
                .orElseThrow(() -> new UsernameNotFoundException("unknown api key"));
    }
}
