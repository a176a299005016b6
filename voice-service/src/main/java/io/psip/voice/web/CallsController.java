package io.psip.voice.web;

import io.psip.voice.auth.Caller;
import io.psip.voice.calls.CallControl;
import io.psip.voice.calls.CallQuery;
import io.psip.voice.calls.CallRecord;
import io.psip.voice.calls.CallRecords;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code /v1/calls} as Vonage's Voice API: records of the caller's own calls (its application's account) and
 * hangup. Another tenant's call is answered exactly like an unknown one (404) on every route, before anything
 * about the request itself is looked at. Outbound calls, transfer and the media actions are 501 until they exist.
 */
@RestController
@RequestMapping("/v1/calls")
class CallsController {

    private static final String BASE = "/v1/calls";
    private static final Set<String> STATUSES = Set.of("started", "ringing", "answered", "machine", "completed",
            "busy", "cancelled", "failed", "rejected", "timeout", "unanswered");
    private static final Set<String> NOT_YET = Set.of("transfer", "mute", "unmute", "earmuff", "unearmuff");

    private final CallRecords records;
    private final CallControl control;

    CallsController(CallRecords records, CallControl control) {
        this.records = records;
        this.control = control;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> list(@AuthenticationPrincipal Caller caller,
                           @RequestParam(required = false) String status,
                           @RequestParam(name = "date_start", required = false) String dateStart,
                           @RequestParam(name = "date_end", required = false) String dateEnd,
                           @RequestParam(name = "conversation_uuid", required = false) String conversationUuid,
                           @RequestParam(name = "page_size", required = false) String pageSize,
                           @RequestParam(name = "record_index", required = false) String recordIndex,
                           @RequestParam(required = false) String order) {
        if (status != null && !STATUSES.contains(status)) {
            return problem(VoiceProblems.invalid("status must be one of " + String.join(", ", STATUSES.stream().sorted().toList()) + "."));
        }
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            return problem(VoiceProblems.invalid("order must be asc or desc."));
        }
        Integer size = integer(pageSize, 10);
        Integer index = integer(recordIndex, 0);
        if (size == null || size < 1 || size > 100) {
            return problem(VoiceProblems.invalid("page_size must be an integer from 1 to 100."));
        }
        if (index == null || index < 0) {
            return problem(VoiceProblems.invalid("record_index must be an integer of 0 or more."));
        }
        Optional<Instant> start;
        Optional<Instant> end;
        try {
            start = Optional.ofNullable(dateStart).map(Instant::parse);
            end = Optional.ofNullable(dateEnd).map(Instant::parse);
        } catch (DateTimeParseException e) {
            return problem(VoiceProblems.invalid("date_start and date_end must be ISO 8601 times, e.g. 2026-01-01T00:00:00Z."));
        }
        CallQuery query = new CallQuery(Optional.ofNullable(status), start, end,
                Optional.ofNullable(conversationUuid), size, index, "desc".equals(order));
        CallRecords.Page page = records.list(caller.accountId(), query);

        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", page.total());
        body.put("page_size", size);
        body.put("record_index", index);
        body.put("_links", links(query, page.total()));
        body.put("_embedded", Map.of("calls", page.records().stream()
                .map(call -> CallView.of(call, BASE + "/" + call.uuid())).toList()));
        return ResponseEntity.ok(body);
    }

    @GetMapping(path = "/{uuid}", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<?> get(@AuthenticationPrincipal Caller caller, @PathVariable String uuid) {
        return records.find(caller.accountId(), uuid)
                .<ResponseEntity<?>>map(call -> ResponseEntity.ok(CallView.of(call, BASE + "/" + uuid)))
                .orElseGet(() -> problem(VoiceProblems.callNotFound(uuid)));
    }

    @PutMapping("/{uuid}")
    ResponseEntity<?> update(@AuthenticationPrincipal Caller caller, @PathVariable String uuid,
                             @RequestBody(required = false) Map<String, Object> body)
            throws InterruptedException {
        Optional<CallRecord> call = records.find(caller.accountId(), uuid);
        if (call.isEmpty()) {
            return problem(VoiceProblems.callNotFound(uuid));
        }
        Object action = body == null ? null : body.get("action");
        if (NOT_YET.contains(action)) {
            return problem(VoiceProblems.notImplemented("The " + action + " action is not implemented yet"
                    + ("transfer".equals(action) ? "." : ": psip has no media plane yet.")));
        }
        if (!"hangup".equals(action)) {
            return problem(VoiceProblems.invalid(
                    "action must be one of hangup, transfer, mute, unmute, earmuff, unearmuff."));
        }
        CallControl.Result result = control.hangup(caller.accountId(), uuid);
        return switch (result.outcome()) {
            case NOT_FOUND -> problem(VoiceProblems.callNotFound(uuid));
            case ENDED -> problem(VoiceProblems.ended(uuid, call.get().status()));
            case SENT -> awaitPublished(result);
        };
    }

    @PutMapping({"/{uuid}/talk", "/{uuid}/stream", "/{uuid}/dtmf"})
    ResponseEntity<?> startMedia(@AuthenticationPrincipal Caller caller, @PathVariable String uuid) {
        return media(caller, uuid);
    }

    @DeleteMapping({"/{uuid}/talk", "/{uuid}/stream"})
    ResponseEntity<?> stopMedia(@AuthenticationPrincipal Caller caller, @PathVariable String uuid) {
        return media(caller, uuid);
    }

    @PostMapping
    ResponseEntity<?> create() {
        return problem(VoiceProblems.notImplemented(
                "Outbound calls (POST /v1/calls) are not implemented yet: psip takes inbound calls only for now."));
    }

    private ResponseEntity<?> media(Caller caller, String uuid) {
        if (records.find(caller.accountId(), uuid).isEmpty()) {
            return problem(VoiceProblems.callNotFound(uuid));
        }
        return problem(VoiceProblems.notImplemented(
                "talk, stream and dtmf are not implemented yet: psip has no media plane yet."));
    }

    private static ResponseEntity<?> awaitPublished(CallControl.Result result) throws InterruptedException {
        try {
            result.published().get(10, TimeUnit.SECONDS);
            return ResponseEntity.noContent().build();
        } catch (ExecutionException | TimeoutException e) {
            return problem(VoiceProblems.unavailable("The hangup could not be sent to the call's region; retry."));
        }
    }

    /** Vonage's HAL links of a page: self, first, last, and next / prev where there is such a page. */
    private static Map<String, Object> links(CallQuery query, long total) {
        Map<String, Object> links = new LinkedHashMap<>();
        int size = query.pageSize();
        long lastIndex = total == 0 ? 0 : ((total - 1) / size) * size;
        links.put("self", href(query, query.recordIndex()));
        links.put("first", href(query, 0));
        links.put("last", href(query, lastIndex));
        if (query.recordIndex() + size < total) {
            links.put("next", href(query, query.recordIndex() + size));
        }
        if (query.recordIndex() > 0) {
            links.put("prev", href(query, Math.max(0, query.recordIndex() - size)));
        }
        return links;
    }

    private static Map<String, String> href(CallQuery query, long recordIndex) {
        UriComponentsBuilder uri = UriComponentsBuilder.fromPath(BASE)
                .queryParam("page_size", query.pageSize())
                .queryParam("record_index", recordIndex)
                .queryParam("order", query.descending() ? "desc" : "asc");
        query.status().ifPresent(s -> uri.queryParam("status", s));
        query.dateStart().ifPresent(s -> uri.queryParam("date_start", s.toString()));
        query.dateEnd().ifPresent(s -> uri.queryParam("date_end", s.toString()));
        query.conversationUuid().ifPresent(s -> uri.queryParam("conversation_uuid", s));
        return Map.of("href", uri.encode().build().toUriString());
    }

    private static Integer integer(String value, int otherwise) {
        if (value == null) {
            return otherwise;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static ResponseEntity<ProblemDetail> problem(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
