package io.psip.provisioning.number;

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

/** Numbers for SIP Connect: {@code /v1/numbers}, the number in the path with or without its +. */
@RestController
@RequestMapping("/v1/numbers")
public class NumberController {

    private final NumberService service;

    public NumberController(NumberService service) {
        this.service = service;
    }

    @PostMapping({"", "/"})
    public ResponseEntity<NumberJson.Response> create(@AuthenticationPrincipal AccountPrincipal principal,
                                                      @RequestBody NumberJson.Request request) {
        PhoneNumber number = service.create(principal.accountId(), NumberValidator.validate(request, null));
        return ResponseEntity.created(URI.create("/v1/numbers/" + number.number()))
                .eTag(Versions.etag(number.version())).body(NumberJson.response(number));
    }

    @GetMapping({"", "/"})
    public NumberJson.Page list(@AuthenticationPrincipal AccountPrincipal principal,
                                @RequestParam(name = "page", required = false) Integer page,
                                @RequestParam(name = "page_size", required = false) Integer pageSize) {
        Paging paging = Paging.of(page, pageSize);
        Paging.Slice<PhoneNumber> result = service.list(principal.accountId(), paging);
        return new NumberJson.Page(paging.pageSize(), paging.page(), result.total(), paging.totalPages(result.total()),
                new NumberJson.Embedded(result.items().stream().map(NumberJson::response).toList()),
                Hal.PageLinks.of("/v1/numbers", paging, result.total()));
    }

    @GetMapping("/{number}")
    public ResponseEntity<NumberJson.Response> get(@AuthenticationPrincipal AccountPrincipal principal,
                                                   @PathVariable("number") String number) {
        PhoneNumber found = service.get(principal.accountId(), number);
        return ResponseEntity.ok().eTag(Versions.etag(found.version())).body(NumberJson.response(found));
    }

    @PutMapping("/{number}")
    public ResponseEntity<NumberJson.Response> update(@AuthenticationPrincipal AccountPrincipal principal,
                                                      @PathVariable("number") String number,
                                                      @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch,
                                                      @RequestBody NumberJson.Request request) {
        PhoneNumber updated = service.update(principal.accountId(), NumberValidator.validate(request, number), ifMatch);
        return ResponseEntity.ok().eTag(Versions.etag(updated.version())).body(NumberJson.response(updated));
    }

    @DeleteMapping("/{number}")
    public ResponseEntity<Void> delete(@AuthenticationPrincipal AccountPrincipal principal,
                                       @PathVariable("number") String number,
                                       @RequestHeader(name = HttpHeaders.IF_MATCH, required = false) String ifMatch) {
        service.delete(principal.accountId(), number, ifMatch);
        return ResponseEntity.status(HttpStatus.NO_CONTENT).build();
    }
}
