package io.psip.provisioning.account;

import io.psip.provisioning.PsipProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * Makes sure the configured admin account exists before the service reports ready: created on the first start
 * with the configured secret; on later starts left as it is, so a rotated secret stays rotated (its SIP Connect
 * credentials are completed if it predates them, see {@link AccountService#ensureBootstrapAccount}). First, the
 * signature secrets of accounts from before they were stored sealed are sealed and republished.
 */
@Component
class BootstrapAccount implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(BootstrapAccount.class);

    private final AccountService accounts;
    private final PsipProperties props;

    BootstrapAccount(AccountService accounts, PsipProperties props) {
        this.accounts = accounts;
        this.props = props;
    }

    @Override
    public void run(ApplicationArguments args) {
        int sealed = accounts.sealClearSignatureSecrets();
        if (sealed > 0) {
            log.info("{} accounts' signature secrets, stored in clear before, are now stored sealed and republished",
                    sealed);
        }
        AccountService.Bootstrapped bootstrapped =
                accounts.ensureBootstrapAccount(props.bootstrapAccount().apiKey(), props.bootstrapAccount().apiSecret());
        Account account = bootstrapped.account();
        if (bootstrapped.created()) {
            log.info("bootstrap account {} (id {}) created with the configured secret", account.apiKey(), account.id());
            return;
        }
        log.info("bootstrap account {} (id {}) exists; its secret is left as it is (the configured one applies only "
                + "at creation)", account.apiKey(), account.id());
        switch (bootstrapped.sipConnect()) {
            case SET_NOW -> log.info("bootstrap account {}: SIP Connect credentials computed from its secret, still the"
                    + " configured one", account.apiKey());
            case MISSING -> log.info("bootstrap account {} has no SIP Connect credentials under this platform key, and"
                    + " its secret was rotated: the next rotation (POST /v1/admin/accounts/{}/secret) sets them",
                    account.apiKey(), account.id());
            case PRESENT -> {
            }
        }
    }
}
