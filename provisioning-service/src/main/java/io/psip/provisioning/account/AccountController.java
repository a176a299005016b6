package io.psip.provisioning.account;

import io.psip.provisioning.NotFoundException;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * The caller's own account. It includes the signature secret, which the customer needs to verify the signed
 * webhooks of applications with {@code signed_callbacks}; the API secret is never shown again.
 */
@RestController
public class AccountController {

    private final AccountRepository accounts;
    private final AccountService service;

    public AccountController(AccountRepository accounts, AccountService service) {
        this.accounts = accounts;
        this.service = service;
    }

    /** An account's allow-list of NCCO connect destinations, in normal form; empty: no restriction of its own. */
    public record Destinations(List<String> destinationAllow) {
    }

    @GetMapping("/v1/account")
    public AdminController.AccountJson self(@AuthenticationPrincipal AccountPrincipal principal) {
        Account account = accounts.findById(principal.accountId())
                .orElseThrow(() -> new NotFoundException("Account '" + principal.accountId() + "'"));
        return AdminController.AccountJson.of(account, null, account.signatureSecret());
    }

    @GetMapping("/v1/account/destinations")
    public Destinations destinations(@AuthenticationPrincipal AccountPrincipal principal) {
        return new Destinations(accounts.findById(principal.accountId())
                .orElseThrow(() -> new NotFoundException("Account '" + principal.accountId() + "'"))
                .destinationAllow());
    }

    /** An account narrows (or widens back, up to the operator's policy) where its own calls may connect. */
    @PutMapping("/v1/account/destinations")
    public Destinations setDestinations(@AuthenticationPrincipal AccountPrincipal principal,
                                        @RequestBody Destinations body) {
        return new Destinations(service.setDestinationAllow(principal.accountId(), body.destinationAllow())
                .destinationAllow());
    }
}
