package io.psip.provisioning.account;

import io.psip.provisioning.PsipProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/** Makes sure the configured admin account exists before the service reports ready. */
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
        Account account = accounts.ensureBootstrapAccount(props.bootstrapAccount().apiKey(), props.bootstrapAccount().apiSecret());
        log.info("bootstrap account {} (id {}) ready", account.apiKey(), account.id());
    }
}
