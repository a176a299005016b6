package io.psip.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The servlet error page (what a filter or the container sends with sendError, and what no handler caught) as an
 * RFC 7807 problem instead of Boot's default JSON or HTML page, for every method and every Accept header.
 */
@RestController
final class ProblemErrorController implements ErrorController {

    @RequestMapping(path = "${server.error.path:${error.path:/error}}", produces = MediaType.ALL_VALUE)
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        // reached directly, /error is a page that does not exist
        int code = status instanceof Integer value && value >= 400 ? value : 404;
        return ResponseEntity.status(code).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(HttpProblems.forStatus(code));
    }
}
