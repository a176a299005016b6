package io.psip.provisioning.account;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.psip.provisioning.InvalidRequestException;
import io.psip.provisioning.NotFoundException;
import io.psip.provisioning.Repair;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;
import java.util.List;
import java.util.UUID;

/**
 * Admin endpoints, for admin accounts only (see SecurityConfig; the operator credential does not open them):
 * create, suspend, reactivate and delete accounts, rotate their secrets, re-publish all state. Secrets appear in a
 * response exactly once and are never logged.
 */
@RestController
@RequestMapping("/v1/admin")
public class AdminController {

    private final AccountService accounts;
    private final AccountRepository repository;
    private final Repair repair;

    public AdminController(AccountService accounts, AccountRepository repository, Repair repair) {
        this.accounts = accounts;
        this.repository = repository;
        this.repair = repair;
    }

    public record CreateAccount(String apiKey, Boolean admin) {
    }

    /** PATCH body: {@code active} or {@code suspended}. */
    public record AccountPatch(String status) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record AccountJson(String id, String apiKey, boolean admin, String status, String apiSecret,
                              String signatureSecret) {

        static AccountJson of(Account account) {
            return of(account, null, null);
        }

        static AccountJson of(AccountService.IssuedCredentials issued) {
            return of(issued.account(), issued.apiSecret(), issued.signatureSecret());
        }

        static AccountJson of(Account a, String apiSecret, String signatureSecret) {
            return new AccountJson(a.id().toString(), a.apiKey(), a.admin(), a.status().wireName(), apiSecret,
                    signatureSecret);
        }

        /** The secrets, shown once, stay out of any log line. */
        @Override
        public String toString() {
            return "AccountJson[id=" + id + ", apiKey=" + apiKey + "]";
        }
    }

    @PostMapping("/accounts")
    public ResponseEntity<AccountJson> create(@RequestBody(required = false) CreateAccount request) {
        CreateAccount body = request == null ? new CreateAccount(null, null) : request;
        AccountService.IssuedCredentials issued = accounts.create(body.apiKey(), Boolean.TRUE.equals(body.admin()));
        return ResponseEntity.created(URI.create("/v1/admin/accounts/" + issued.account().id())).body(AccountJson.of(issued));
    }

    @GetMapping("/accounts")
    public List<AccountJson> list() {
        return repository.findAll().stream().map(AccountJson::of).toList();
    }

    /** A new API secret; the old one stops working at once. */
    @PostMapping("/accounts/{id}/secret")
    public AccountJson rotateSecret(@PathVariable("id") UUID id) {
        return AccountJson.of(accounts.rotateSecret(id));
    }

    /** Suspends ({@code suspended}) or reactivates ({@code active}) an account; not the bootstrap account (409). */
    @PatchMapping("/accounts/{id}")
    public AccountJson patch(@PathVariable("id") UUID id, @RequestBody AccountPatch body) {
        Account.Status status = Account.Status.of(body.status())
                .orElseThrow(() -> InvalidRequestException.of("status", "must be active or suspended"));
        return AccountJson.of(accounts.setStatus(id, status));
    }

    /** 204; 409 for the bootstrap account, or while the account still has applications, domains or numbers. */
    @DeleteMapping("/accounts/{id}")
    public ResponseEntity<Void> delete(@PathVariable("id") UUID id) {
        accounts.delete(id);
        return ResponseEntity.noContent().build();
    }

    /** A new webhook signature secret. */
    @PostMapping("/accounts/{id}/signature-secret")
    public AccountJson rotateSignatureSecret(@PathVariable("id") UUID id) {
        return AccountJson.of(accounts.rotateSignatureSecret(id));
    }

    @GetMapping("/accounts/{id}/destinations")
    public AccountController.Destinations destinations(@PathVariable("id") UUID id) {
        return new AccountController.Destinations(repository.findById(id)
                .orElseThrow(() -> new NotFoundException("account " + id)).destinationAllow());
    }

    /** Any account's destination allow-list, as the account itself may set it. */
    @PutMapping("/accounts/{id}/destinations")
    public AccountController.Destinations setDestinations(@PathVariable("id") UUID id,
                                                          @RequestBody AccountController.Destinations body) {
        return new AccountController.Destinations(accounts.setDestinationAllow(id, body.destinationAllow())
                .destinationAllow());
    }

    /** Re-publishes every account, application, number and domain with its current version, and a tombstone for every deleted one. */
    @PostMapping("/repair")
    public ResponseEntity<Repair.Result> repair() {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(repair.republishAll());
    }
}
