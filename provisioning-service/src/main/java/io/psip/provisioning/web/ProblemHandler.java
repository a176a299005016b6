package io.psip.provisioning.web;

import io.psip.provisioning.ConflictException;
import io.psip.provisioning.InvalidRequestException;
import io.psip.provisioning.InvalidRequestException.InvalidParameter;
import io.psip.provisioning.NotFoundException;
import io.psip.provisioning.PreconditionFailedException;
import io.psip.web.ProblemExceptionHandler;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

import java.util.List;

/** Turns every failure into {@code application/problem+json} (see {@link Problems}). */
@RestControllerAdvice
public class ProblemHandler extends ProblemExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(InvalidRequestException.class)
    ResponseEntity<ProblemDetail> invalid(InvalidRequestException e, HttpServletRequest request) {
        return respond(Problems.invalid(api(request), e.invalidParameters()));
    }

    @ExceptionHandler(NotFoundException.class)
    ResponseEntity<ProblemDetail> notFound(NotFoundException e, HttpServletRequest request) {
        return respond(Problems.notFound(api(request), e.getMessage()));
    }

    @ExceptionHandler(ConflictException.class)
    ResponseEntity<ProblemDetail> conflict(ConflictException e) {
        return respond(Problems.conflict(e.getMessage()));
    }

    @ExceptionHandler(PreconditionFailedException.class)
    ResponseEntity<ProblemDetail> preconditionFailed(PreconditionFailedException e) {
        return respond(Problems.preconditionFailed(e.getMessage()));
    }

    @ExceptionHandler(PayloadTooLargeException.class)
    ResponseEntity<ProblemDetail> tooLarge(PayloadTooLargeException e) {
        return respond(Problems.payloadTooLarge(e.limit()));
    }

    /** A malformed id in the path names no resource of this tenant: 404, like any other unknown id. */
    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> badPathVariable(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        return respond(Problems.notFound(api(request), e.getName() + " '" + e.getValue() + "'"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
        log.error("{} {} failed", request.getMethod(), request.getRequestURI(), e);
        return respond(Problems.internal());
    }

    /**
     * Syntax errors are 400 "not valid JSON"; well-formed JSON with an unknown field or a value of the wrong
     * type is a validation error naming the field.
     */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        Throwable cause = e.getCause();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PayloadTooLargeException tooLarge) {
                return objectResponse(Problems.payloadTooLarge(tooLarge.limit()));
            }
        }
        Problems.Api api = api(((ServletWebRequest) request).getRequest());
        if (cause instanceof UnrecognizedPropertyException unknown) {
            return objectResponse(Problems.invalid(api, List.of(new InvalidParameter(path(unknown), "unknown field"))));
        }
        if (cause instanceof MismatchedInputException mismatch) {
            return objectResponse(Problems.invalid(api, List.of(new InvalidParameter(path(mismatch), "wrong type"))));
        }
        String detail = cause instanceof JacksonException jackson ? jackson.getOriginalMessage() : "Missing or unreadable request body";
        return objectResponse(Problems.invalidJson(detail));
    }

    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "body" : path.toString();
    }

    private static Problems.Api api(HttpServletRequest request) {
        return Problems.Api.of(request.getRequestURI());
    }

    static ResponseEntity<ProblemDetail> respond(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    private static ResponseEntity<Object> objectResponse(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
