package io.psip.webhook.redelivery;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.apache.kafka.common.KafkaException;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@code POST /v1/admin/redeliveries} and {@code GET /v1/admin/dead-letters} (the operator's, see
 * OperatorEndpoints). A re-delivery answers once its posts are queued and durable, not once they are made.
 */
@RestController
@RequestMapping("/v1/admin")
class RedeliveryController {

    static final String DEAD_LETTERS = "dead-letters";
    private static final Duration DURABLE_WITHIN = Duration.ofSeconds(60);

    /** Exactly one selector ({@code call_uuid}, or {@code from} and {@code to}); none only with dead letters. */
    record RedeliveryRequest(@JsonProperty("call_uuid") String callUuid, Instant from, Instant to, String source) {
    }

    private final Redeliveries redeliveries;

    RedeliveryController(Redeliveries redeliveries) {
        this.redeliveries = redeliveries;
    }

    @PostMapping("/redeliveries")
    Map<String, Object> redeliver(@RequestBody RedeliveryRequest request) {
        boolean deadLetters = DEAD_LETTERS.equals(request.source());
        if (request.source() != null && !deadLetters) {
            throw badRequest("source must be \"" + DEAD_LETTERS + "\" or absent");
        }
        Selector selector = selector(request, deadLetters);
        Redeliveries.Result result;
        try {
            result = durable(readable(() -> deadLetters ? redeliveries.fromDeadLetters(selector)
                    : redeliveries.fromHistory(selector)));
        } catch (DeliveryRecords.TooManyPosts e) {
            throw badRequest(e.getMessage());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("redelivered", result.redelivered());
        body.put("calls", result.calls());
        body.put("not_found", result.notFound());
        return body;
    }

    @GetMapping("/dead-letters")
    Map<String, Object> deadLetters() {
        DeadLetterRecords.Summary summary = readable(redeliveries::deadLetterSummary);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("topic", summary.topic());
        body.put("count", summary.count());
        body.put("oldest", summary.oldest() == null ? null : summary.oldest().toString());
        body.put("newest", summary.newest() == null ? null : summary.newest().toString());
        return body;
    }

    private static Selector selector(RedeliveryRequest request, boolean deadLetters) {
        boolean call = request.callUuid() != null;
        boolean window = request.from() != null || request.to() != null;
        if (call && window) {
            throw badRequest("give either call_uuid or from and to, not both");
        }
        if (call) {
            if (request.callUuid().isBlank()) {
                throw badRequest("call_uuid must not be blank");
            }
            return Selector.call(request.callUuid());
        }
        if (window) {
            if (request.from() == null || request.to() == null) {
                throw badRequest("a time window needs both from and to (ISO-8601)");
            }
            if (!request.from().isBefore(request.to())) {
                throw badRequest("from must be before to");
            }
            return Selector.window(request.from(), request.to());
        }
        if (!deadLetters) {
            throw badRequest("give call_uuid, or from and to; only \"source\":\"" + DEAD_LETTERS
                    + "\" may go without");
        }
        return Selector.all();
    }

    private static Redeliveries.Result durable(CompletableFuture<Redeliveries.Result> queued) {
        try {
            return queued.get(DURABLE_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unavailable("the re-delivered posts could not be made durable: " + e.getCause().getMessage());
        } catch (TimeoutException e) {
            throw unavailable("the re-delivered posts were not durable within " + DURABLE_WITHIN.toSeconds()
                    + " s; some may still be sent");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted");
        }
    }

    private static <T> T readable(Supplier<T> read) {
        try {
            return read.get();
        } catch (KafkaException | IllegalStateException e) {
            throw unavailable("cannot read the topics: " + e.getMessage());
        }
    }

    private static ResponseStatusException badRequest(String detail) {
        return new ResponseStatusException(HttpStatus.BAD_REQUEST, detail);
    }

    private static ResponseStatusException unavailable(String detail) {
        return new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, detail);
    }
}
