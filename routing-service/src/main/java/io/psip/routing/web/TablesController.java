package io.psip.routing.web;

import io.psip.routing.call.Registrar;
import io.psip.schemas.net.CallerPattern;
import io.psip.schemas.net.Cidr;
import io.psip.routing.table.Domain;
import io.psip.routing.table.RoutingTables;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Read-only view of the routing tables, so tests and operators can see a change arrive (operator credential). */
@RestController
class TablesController {

    private final RoutingTables tables;
    private final Registrar registrar;

    TablesController(RoutingTables tables, Registrar registrar) {
        this.tables = tables;
        this.registrar = registrar;
    }

    @GetMapping("/v1/tables/domains/{name}")
    ResponseEntity<?> domain(@PathVariable String name) {
        return tables.domain(name).<ResponseEntity<?>>map(domain -> ResponseEntity.ok(view(domain)))
                .orElseGet(() -> notFound("No domain of that name in this region's table"));
    }

    /** A SIP Connect number (with or without its +), as routing routes it. */
    @GetMapping("/v1/tables/numbers/{number}")
    ResponseEntity<?> number(@PathVariable String number) {
        return tables.number(number.startsWith("+") ? number.substring(1) : number)
                .<ResponseEntity<?>>map(route -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("number", route.number());
                    body.put("version", route.version());
                    body.put("account_id", route.accountId());
                    body.put("application_id", route.applicationId());
                    return ResponseEntity.ok(body);
                })
                .orElseGet(() -> notFound("No such number in this region's table"));
    }

    /** What routing knows of an account; whether it can use SIP Connect, never its HA1s. */
    @GetMapping("/v1/tables/accounts/{id}")
    ResponseEntity<?> account(@PathVariable String id) {
        return tables.account(id).<ResponseEntity<?>>map(account -> {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("id", account.id());
            body.put("version", account.version());
            body.put("active", account.active());
            body.put("api_key", account.apiKey());
            body.put("sip_connect", account.sipConnect() != null);
            body.put("destination_allow", account.destinationAllow().stream().map(Object::toString).toList());
            return ResponseEntity.ok(body);
        }).orElseGet(() -> notFound("No such account in this region's table"));
    }

    /** A user's live bindings in this region, most preferred first, with where each REGISTER came from. */
    @GetMapping("/v1/tables/registrations/{domain}/{user}")
    ResponseEntity<?> registrations(@PathVariable String domain, @PathVariable String user) {
        List<Registrar.Binding> bindings = registrar.bindingsOf(domain, user);
        if (bindings.isEmpty()) {
            return notFound("No binding of that user in this region");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("aor", Registrar.aor(RoutingTables.domainKey(domain), user));
        body.put("contacts", bindings.stream().map(binding -> {
            Map<String, Object> contact = new LinkedHashMap<>();
            contact.put("uri", binding.contact());
            contact.put("expires", registrar.secondsLeft(binding));
            contact.put("expires_at", binding.expiresAt().toString());
            contact.put("q", binding.q());
            contact.put("source_address", binding.sourceAddress());
            contact.put("source_port", binding.sourcePort());
            contact.put("transport", binding.transport());
            contact.put("instance_id", binding.instanceId());
            return contact;
        }).toList());
        return ResponseEntity.ok(body);
    }

    private static ResponseEntity<ProblemDetail> notFound(String detail) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, detail));
    }

    private static Map<String, Object> view(Domain domain) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", domain.name());
        body.put("version", domain.version());
        body.put("application_id", domain.applicationId());
        body.put("acl", domain.acl().stream().map(Cidr::toString).toList());
        body.put("allowed_callers", domain.allowedCallers().stream().map(CallerPattern::toString).toList());
        return body;
    }
}
