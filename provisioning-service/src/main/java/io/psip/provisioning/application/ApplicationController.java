package io.psip.provisioning.application;

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
import java.util.UUID;

/** Vonage Application API v2, voice capability. */
@RestController
@RequestMapping(ApplicationController.PATH)
public class ApplicationController {

    static final String PATH = "/v2/applications";
    /** Vonage's Java SDK lists all applications as one page of 1000 ({@code listAllApplications}). */
    static final int MAX_PAGE_SIZE = 1000;

    private final ApplicationService service;

    public ApplicationController(ApplicationService service) {
        this.service = service;
    }

    @PostMapping({"", "/"})
    public ResponseEntity<ApplicationJson.Response> create(@AuthenticationPrincipal AccountPrincipal principal,
                                                           @RequestBody ApplicationJson.Request request) {
        ApplicationService.Created created = service.create(principal.accountId(), ApplicationValidator.validate(request));
        Application app = created.application();
        return ResponseEntity.created(URI.create(PATH + "/" + app.id()))
                .eTag(Versions.etag(app.version())).body(ApplicationJson.response(app, created.privateKey()));
    }

    @GetMapping({"", "/"})
    public ApplicationJson.Page list(@AuthenticationPrincipal AccountPrincipal principal,
                                     @RequestParam(name = "page", required = false) Integer page,
                                     @RequestParam(name = "page_size", required = false) Integer pageSize) {
        Paging paging = Paging.of(page, pageSize, MAX_PAGE_SIZE);
        Paging.Slice<Application> result = service.list(principal.accountId(), paging);
        return new ApplicationJson.Page(paging.pageSize(), paging.page(), result.total(), paging.totalPages(result.total()),
                new ApplicationJson.Embedded(result.items().stream().map(ApplicationJson::response).toList()),
                Hal.PageLinks.of(PATH, paging, result.total()));
    }

    @GetMapping("/{id}")
    public ResponseEntity<ApplicationJson.Response> get(@AuthenticationPrincipal AccountPrincipal principal,
                                                        @PathVariable("id") UUID id) {
        Application app = service.get(principal.accountId(), id);
        return ResponseEntity.ok().eTag(Versions.etag(app.version())).body(ApplicationJson.response(app));
    }

    @PutMapping("/{id}")
    public ResponseEntity<ApplicationJson.Response> update(@AuthenticationPrincipal AccountPrincipal principal,
                                                           @PathVariable("id") UUID id,
                                                           @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                                           @RequestBody ApplicationJson.Request request) {
        Application app = service.update(principal.accountId(), id, ApplicationValidator.validate(request), ifMatch);
        return ResponseEntity.ok().eTag(Versions.etag(app.version())).body(ApplicationJson.response(app));
    }

    @DeleteMapping("/{id}")
    public ResponseEntity<Void> delete(@AuthenticationPrincipal AccountPrincipal principal, @PathVariable("id") UUID id,
                                       @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch) {
        service.delete(principal.accountId(), id, ifMatch);
        return ResponseEntity.status(HttpStatus.NO_CONTENT).build();
    }
}
