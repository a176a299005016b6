package io.psip.routing.web;

import io.psip.routing.RoutingProperties;
import io.psip.routing.table.TableReaders;
import io.psip.schemas.kafka.ReaderView;
import io.psip.schemas.kafka.TopicReader;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The operator's view of this instance's tables (positions, lag, dead letters, the generation serving), a rebuild
 * from offset 0 built aside and swapped in, and the acknowledgement of a table's dead letters (operator credential).
 */
@RestController
class TableAdminController {

    private final TableReaders readers;
    private final RoutingProperties properties;

    TableAdminController(TableReaders readers, RoutingProperties properties) {
        this.readers = readers;
        this.properties = properties;
    }

    @GetMapping("/v1/admin/tables")
    Map<String, Object> tables() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("region", properties.region());
        body.put("instance_id", properties.instanceId());
        body.put("ready", readers.ready());
        body.put("generation", readers.generation());
        body.put("tables", readers.tables().stream().map(TableAdminController::view).toList());
        body.put("rebuild", view(readers.lastRebuild()));
        return body;
    }

    @PostMapping("/v1/admin/tables/rebuild")
    ResponseEntity<?> rebuild() {
        try {
            return ResponseEntity.status(HttpStatus.ACCEPTED).body(view(readers.rebuild()));
        } catch (IllegalStateException e) {
            return problem(HttpStatus.CONFLICT, e.getMessage());
        }
    }

    @PostMapping("/v1/admin/tables/{topic}/dead-letters/acknowledge")
    ResponseEntity<?> acknowledge(@PathVariable String topic) {
        if (readers.reader(topic).isEmpty()) {
            return problem(HttpStatus.NOT_FOUND, "No table reads " + topic + " in this instance");
        }
        readers.reader(topic).ifPresent(TopicReader::acknowledgeDeadLetters);
        return ResponseEntity.ok(readers.tables().stream().filter(t -> t.reader().topic().name().equals(topic))
                .findFirst().map(TableAdminController::view).orElseThrow());
    }

    private static Map<String, Object> view(TableReaders.TableStatus table) {
        return ReaderView.of(table.reader(), table.entries(), table.maxVersion());
    }

    private static Map<String, Object> view(TableReaders.Rebuild rebuild) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("state", rebuild.state().label());
        body.put("generation", rebuild.generation());
        body.put("started_at", Objects.toString(rebuild.startedAt(), null));
        body.put("finished_at", Objects.toString(rebuild.finishedAt(), null));
        body.put("error", rebuild.error());
        return body;
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String detail) {
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(ProblemDetail.forStatusAndDetail(status, detail));
    }
}
