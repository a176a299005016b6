package io.psip.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;

/**
 * The servlet error page (what a filter or the container sends with sendError, and what no handler caught) as an
 * RFC 7807 problem instead of Boot's default JSON or HTML page, for every method and every Accept header. It
 * writes the body itself: Spring's message converters would decode the request path with the request's charset
 * (an unreadable one failed the error page too) and negotiate on Accept.
 */
@RestController
final class ProblemErrorController implements ErrorController {

    private final ProblemWriter problems;

    ProblemErrorController(ProblemWriter problems) {
        this.problems = problems;
    }

    // no "produces": matching it would parse the Accept header, and a malformed one would leave the error unanswered
    @RequestMapping("${server.error.path:${error.path:/error}}")
    void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        // reached directly, /error is a page that does not exist
        int code = status instanceof Integer value && value >= 400 ? value : 404;
        problems.write(response, HttpProblems.forStatus(code));
    }
}
