package io.psip.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;

import java.net.URI;
import java.time.Duration;

/** The problems every psip HTTP service answers alike, with psip's own {@code urn:psip:problem:*} types. */
public final class HttpProblems {

    private HttpProblems() {
    }

    public static ProblemDetail operatorUnauthorized() {
        return problem(HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized",
                "This endpoint needs the operator credential (HTTP Basic).");
    }

    public static ProblemDetail operatorDisabled() {
        return problem(HttpStatus.FORBIDDEN, "operator-disabled", "Forbidden",
                "Operator endpoints are refused: no operator credential is configured (psip.operator.password).");
    }

    public static ProblemDetail tooManyFailedLogins(Duration retryAfter) {
        return problem(HttpStatus.TOO_MANY_REQUESTS, "too-many-failed-logins", "Too Many Requests",
                "Too many failed Basic-auth attempts from this address; retry after " + retrySeconds(retryAfter) + " s.");
    }

    public static ProblemDetail rejected() {
        return problem(HttpStatus.BAD_REQUEST, "bad-request", "Bad Request", "The request was rejected as malformed.");
    }

    public static ProblemDetail unsupportedContentType() {
        return problem(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported Media Type",
                "The Content-Type is not a concrete media type, or names a charset this service cannot read.");
    }

    public static ProblemDetail notAcceptable() {
        return problem(HttpStatus.NOT_ACCEPTABLE, "not-acceptable", "Not Acceptable",
                "The Accept header cannot be parsed or lists nothing, or accepts no JSON for a request that changes something.");
    }

    public static ProblemDetail malformedParameters() {
        return problem(HttpStatus.BAD_REQUEST, "bad-request", "Bad Request",
                "The query string (or form body) could not be parsed.");
    }

    /** Whatever reached the servlet error page: its status, and never the exception's text. */
    public static ProblemDetail forStatus(int status) {
        HttpStatus known = HttpStatus.resolve(status);
        String title = known == null ? "Error" : known.getReasonPhrase();
        ProblemDetail problem = ProblemDetail.forStatus(HttpStatusCode.valueOf(status));
        problem.setTitle(title);
        return problem;
    }

    /** Whole seconds, rounded up, at least 1: the value of a Retry-After header. */
    public static long retrySeconds(Duration retryAfter) {
        return Math.max(1, (retryAfter.toMillis() + 999) / 1000);
    }

    private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("urn:psip:problem:" + type));
        problem.setTitle(title);
        return problem;
    }
}
