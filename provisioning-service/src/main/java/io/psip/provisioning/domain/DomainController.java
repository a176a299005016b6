package io.psip.provisioning.domain;

import io.psip.provisioning.Hal;
import io.psip.provisioning.Paging;
import io.psip.provisioning.Versions;
import io.psip.provisioning.account.AccountPrincipal;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.net.URI;

/**
 * Vonage Programmable SIP API ({@code /v1/psip}) with the later additions: list, digest users, digest_auth,
 * domain_type. PUT answers 201 whether it created or replaced, as psip.yml documents.
 */
@RestController
@RequestMapping("/v1/psip")
public class DomainController {

    private final DomainService service;

    public DomainController(DomainService service) {
        this.service = service;
    }

    @PostMapping({"", "/"})
    public ResponseEntity<DomainJson.Response> create(@AuthenticationPrincipal AccountPrincipal principal,
                                                      @RequestBody DomainJson.Request request) {
        SipDomain domain = service.create(principal.accountId(), DomainValidator.validate(request, null));
        return ResponseEntity.created(URI.create("/v1/psip/" + domain.name()))
                .eTag(Versions.etag(domain.version())).body(DomainJson.response(domain));
    }

    @GetMapping({"", "/"})
    public DomainJson.Page list(@AuthenticationPrincipal AccountPrincipal principal,
                                @RequestParam(name = "page", required = false) Integer page,
                                @RequestParam(name = "page_size", required = false) Integer pageSize) {
        Paging paging = Paging.of(page, pageSize);
        Paging.Slice<SipDomain> result = service.list(principal.accountId(), paging);
        return new DomainJson.Page(paging.pageSize(), paging.page(), result.total(), paging.totalPages(result.total()),
                new DomainJson.Embedded(result.items().stream().map(DomainJson::response).toList()),
                Hal.PageLinks.of("/v1/psip", paging, result.total()));
    }

    @GetMapping("/{domain}")
    public ResponseEntity<DomainJson.Response> get(@AuthenticationPrincipal AccountPrincipal principal,
                                                   @PathVariable("domain") String name) {
        SipDomain domain = service.get(principal.accountId(), name);
        return ResponseEntity.ok().eTag(Versions.etag(domain.version())).body(DomainJson.response(domain));
    }

    @PutMapping("/{domain}")
    public ResponseEntity<DomainJson.Response> put(@AuthenticationPrincipal AccountPrincipal principal,
                                                   @PathVariable("domain") String name,
                                                   @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                                   @RequestBody DomainJson.Request request) {
        DomainService.Saved saved = service.put(principal.accountId(), DomainValidator.validate(request, name), ifMatch);
        return ResponseEntity.status(HttpStatus.CREATED).location(URI.create("/v1/psip/" + saved.domain().name()))
                .eTag(Versions.etag(saved.domain().version())).body(DomainJson.response(saved.domain()));
    }

    /** {@code cascade} is accepted for Vonage compatibility; a domain's users always go with it. */
    @DeleteMapping("/{domain}")
    public ResponseEntity<Void> delete(@AuthenticationPrincipal AccountPrincipal principal,
                                       @PathVariable("domain") String name,
                                       @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                       @RequestParam(name = "cascade", required = false) Boolean cascade) {
        service.delete(principal.accountId(), name, ifMatch);
        return ResponseEntity.ok().build();
    }

    @PostMapping({"/{domain}/users", "/{domain}/users/"})
    public ResponseEntity<DomainJson.UserResponse> addUser(@AuthenticationPrincipal AccountPrincipal principal,
                                                           @PathVariable("domain") String name,
                                                           @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                                           @RequestBody DomainJson.UserRequest request) {
        DomainValidator.validateUser(request, null, true);
        SipDomain domain = service.addUser(principal.accountId(), name, request.key(), request.secret(), ifMatch);
        return ResponseEntity.created(URI.create("/v1/psip/" + domain.name() + "/users/" + request.key()))
                .eTag(Versions.etag(domain.version())).body(new DomainJson.UserResponse(request.key()));
    }

    @GetMapping({"/{domain}/users", "/{domain}/users/"})
    public DomainJson.UserPage users(@AuthenticationPrincipal AccountPrincipal principal,
                                     @PathVariable("domain") String name,
                                     @RequestParam(name = "page", required = false) Integer page,
                                     @RequestParam(name = "page_size", required = false) Integer pageSize) {
        Paging paging = Paging.of(page, pageSize);
        DomainService.UserPage result = service.users(principal.accountId(), name, paging);
        return new DomainJson.UserPage(paging.pageSize(), paging.page(), result.total(), paging.totalPages(result.total()),
                new DomainJson.UserEmbedded(result.items().stream().map(u -> new DomainJson.UserResponse(u.username())).toList()));
    }

    @GetMapping("/{domain}/users/{user}")
    public DomainJson.UserResponse user(@AuthenticationPrincipal AccountPrincipal principal,
                                        @PathVariable("domain") String name, @PathVariable("user") String user) {
        return new DomainJson.UserResponse(service.user(principal.accountId(), name, user).username());
    }

    @PutMapping("/{domain}/users/{user}")
    public ResponseEntity<DomainJson.UserResponse> putUser(@AuthenticationPrincipal AccountPrincipal principal,
                                                           @PathVariable("domain") String name,
                                                           @PathVariable("user") String user,
                                                           @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                                           @RequestBody DomainJson.UserRequest request) {
        DomainValidator.validateUser(request, user, true);
        boolean created = service.putUser(principal.accountId(), name, user, request.secret(), ifMatch);
        return ResponseEntity.status(created ? HttpStatus.CREATED : HttpStatus.OK).body(new DomainJson.UserResponse(user));
    }

    @DeleteMapping("/{domain}/users/{user}")
    public ResponseEntity<Void> deleteUser(@AuthenticationPrincipal AccountPrincipal principal,
                                           @PathVariable("domain") String name, @PathVariable("user") String user,
                                           @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch) {
        service.deleteUser(principal.accountId(), name, user, ifMatch);
        return ResponseEntity.ok().build();
    }
}
