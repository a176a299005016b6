package io.psip.provisioning.account;

import io.psip.provisioning.NotFoundException;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The caller's own account. It includes the signature secret, which the customer needs to verify the signed
 * webhooks of applications with {@code signed_callbacks}; the API secret is never shown again.
 */
@RestController
public class AccountController {

    private final AccountRepository accounts;

    public AccountController(AccountRepository accounts) {
        this.accounts = accounts;
    }

    @GetMapping("/v1/account")
    public AdminController.AccountJson self(@AuthenticationPrincipal AccountPrincipal principal) {
        Account account = accounts.findById(principal.accountId())
                .orElseThrow(() -> new NotFoundException("Account '" + principal.accountId() + "'"));
        return new AdminController.AccountJson(account.id().toString(), account.apiKey(), account.admin(), null,
                account.signatureSecret());
    }
}
