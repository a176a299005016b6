package io.psip.provisioning.outbox;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/** The outbox for admin accounts (under /v1/admin, see SecurityConfig): backlog, set-aside rows, retry. */
@RestController
@RequestMapping("/v1/admin/outbox")
public class OutboxAdminController {

    private final OutboxAdmin outbox;

    public OutboxAdminController(OutboxAdmin outbox) {
        this.outbox = outbox;
    }

    @GetMapping
    public OutboxAdmin.Status status() {
        return outbox.status();
    }

    /** 200 once the row is pending again; 404 if no such row is set aside, 409 if a newer version superseded it. */
    @PostMapping("/{id}/retry")
    public Map<String, Object> retry(@PathVariable("id") long id) {
        outbox.retry(id);
        return Map.of("id", id, "state", "pending");
    }
}
