package io.psip.routing.web;

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
import java.util.Map;

/** Read-only view of the routing tables, so tests and operators can see a change arrive (operator credential). */
@RestController
class TablesController {

    private final RoutingTables tables;

    TablesController(RoutingTables tables) {
        this.tables = tables;
    }

    @GetMapping("/v1/tables/domains/{name}")
    ResponseEntity<?> domain(@PathVariable String name) {
        return tables.domain(name).<ResponseEntity<?>>map(domain -> ResponseEntity.ok(view(domain)))
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                        .body(ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No domain of that name in this region's table")));
    }

    private static Map<String, Object> view(Domain domain) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", domain.name());
        body.put("version", domain.version());
        body.put("application_id", domain.applicationId());
        body.put("acl", domain.acl().stream().map(Cidr::toString).toList());
        return body;
    }
}
