package io.psip.provisioning.web;

import io.psip.provisioning.InvalidRequestException.InvalidParameter;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * RFC 7807 bodies. Where Vonage documents an error (psip.yml, application.v2.yml) its type, title and detail
 * are used verbatim so Vonage clients recognise them; the statuses Vonage does not document (403, 409, 412,
 * 413) use psip's own {@code urn:psip:problem:*} types. Field errors go in {@code invalid_parameters}.
 */
public final class Problems {

    static final String NEXMO_ERRORS = "https://www.nexmo.com/messages/Errors#";

    private Problems() {
    }

    /** Which Vonage API a request belongs to decides the wording of its errors. */
    enum Api {
        PSIP, APPLICATIONS, OTHER;

        static Api of(String path) {
            if (path.startsWith("/v1/psip")) {
                return PSIP;
            }
            if (path.startsWith("/v2/applications")) {
                return APPLICATIONS;
            }
            return OTHER;
        }
    }

    static ProblemDetail unauthorized() {
        return problem(HttpStatus.UNAUTHORIZED, NEXMO_ERRORS + "Unauthorized", "Invalid credentials supplied",
                "You did not provide credentials.");
    }

    static ProblemDetail forbidden() {
        return problem(HttpStatus.FORBIDDEN, "urn:psip:problem:forbidden", "Forbidden",
                "This operation needs an admin account.");
    }

    static ProblemDetail suspended() {
        return problem(HttpStatus.FORBIDDEN, "urn:psip:problem:account-suspended", "Account suspended",
                "This account is suspended; an admin can reactivate it.");
    }

    static ProblemDetail invalidJson(String detail) {
        return problem(HttpStatus.BAD_REQUEST, NEXMO_ERRORS + "InvalidParams", "The request body did not contain valid JSON", detail);
    }

    static ProblemDetail invalid(Api api, List<InvalidParameter> parameters) {
        ProblemDetail problem = switch (api) {
            case PSIP -> problem(HttpStatus.UNPROCESSABLE_CONTENT, NEXMO_ERRORS + "InvalidParams",
                    "Unprocessable Entity-Invalid request parameters", "Request lacks domain's name, acl or application id");
            case APPLICATIONS -> problem(HttpStatus.BAD_REQUEST,
                    "https://developer.nexmo.com/api-errors/application#payload-validation", "Bad Request",
                    "The request failed due to validation errors");
            case OTHER -> problem(HttpStatus.UNPROCESSABLE_CONTENT, NEXMO_ERRORS + "InvalidParams",
                    "Invalid request parameters", "The request failed due to validation errors");
        };
        problem.setProperty("invalid_parameters",
                parameters.stream().map(p -> Map.of("name", p.name(), "reason", p.reason())).toList());
        return problem;
    }

    static ProblemDetail notFound(Api api, String what) {
        return switch (api) {
            case PSIP -> problem(HttpStatus.NOT_FOUND, NEXMO_ERRORS + "NotFound", "Invalid domain selected",
                    "The domain you're trying to interact with is invalid");
            case APPLICATIONS, OTHER -> problem(HttpStatus.NOT_FOUND, "https://developer.nexmo.com/api-errors#not-found",
                    "Not Found", what + " could not be found");
        };
    }

    static ProblemDetail conflict(String detail) {
        return problem(HttpStatus.CONFLICT, "urn:psip:problem:conflict", "Conflict", detail);
    }

    static ProblemDetail preconditionFailed(String detail) {
        return problem(HttpStatus.PRECONDITION_FAILED, "urn:psip:problem:precondition-failed", "Precondition Failed", detail);
    }

    static ProblemDetail payloadTooLarge(int limit) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, "urn:psip:problem:payload-too-large", "Payload Too Large",
                "The request body is larger than " + limit + " bytes");
    }

    static ProblemDetail internal() {
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, NEXMO_ERRORS + "InternalError", "Service internal #InternalError",
                "An unknown error encountered");
    }

    private static ProblemDetail problem(HttpStatus status, String type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create(type));
        problem.setTitle(title);
        return problem;
    }
}
