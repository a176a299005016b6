package io.psip.voice.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

import java.net.URI;

/** The Voice API's RFC 7807 problems, with psip's {@code urn:psip:problem:*} types. */
public final class VoiceProblems {

    private VoiceProblems() {
    }

    public static ProblemDetail unauthorized(String detail) {
        return problem(HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized", detail);
    }

    public static ProblemDetail unavailable(String detail) {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "Service Unavailable", detail);
    }

    /** Unknown and another tenant's call alike: the answer says nothing about calls the caller may not see. */
    public static ProblemDetail callNotFound(String uuid) {
        return problem(HttpStatus.NOT_FOUND, "not-found", "Not Found", "No call " + uuid + ".");
    }

    public static ProblemDetail ended(String uuid, String status) {
        return problem(HttpStatus.CONFLICT, "call-ended", "Conflict",
                "Call " + uuid + " has ended (" + status + "): there is nothing to hang up.");
    }

    public static ProblemDetail invalid(String detail) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-parameters", "Bad Request", detail);
    }

    /** What the Voice API names but psip does not do yet. */
    public static ProblemDetail notImplemented(String detail) {
        return problem(HttpStatus.NOT_IMPLEMENTED, "not-implemented", "Not Implemented", detail);
    }

    private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("urn:psip:problem:" + type));
        problem.setTitle(title);
        return problem;
    }
}
