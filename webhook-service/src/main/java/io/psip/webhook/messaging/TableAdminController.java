package io.psip.webhook.messaging;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The operator's view of webhook's tables (applications, accounts: positions, lag, dead letters) and the
 * acknowledgement of a table's dead letters (operator credential).
 */
@RestController
class TableAdminController {

    private final List<TableHealthIndicator> tables;

    TableAdminController(List<TableHealthIndicator> tables) {
        this.tables = tables;
    }

    @GetMapping("/v1/admin/tables")
    Map<String, Object> tables() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ready", tables.stream().allMatch(t -> t.reader().ready()));
        body.put("tables", tables.stream().map(TableHealthIndicator::view).toList());
        return body;
    }

    @PostMapping("/v1/admin/tables/{topic}/dead-letters/acknowledge")
    ResponseEntity<?> acknowledge(@PathVariable String topic) {
        Optional<TableHealthIndicator> table = tables.stream()
                .filter(t -> t.reader().topic().name().equals(topic)).findFirst();
        if (table.isEmpty()) {
            return ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                    .body(ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND, "No table reads " + topic
                            + " in webhook-service"));
        }
        table.get().reader().acknowledgeDeadLetters();
        return ResponseEntity.ok(table.get().view());
    }
}
