package io.psip.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.util.List;
import java.util.Set;

/**
 * Refuses, before any other code sees them, three kinds of request that used to surface as a 500 from wherever
 * they were first touched:
 * <ul>
 *   <li>a Content-Type that is no concrete media type (empty, unparseable, {@code application/*}), or with a
 *       charset the JVM cannot read: 415. Whatever parsed it, or decoded the request with its charset, threw,
 *       even while writing an error page for it;</li>
 *   <li>a query string (or form body) Tomcat cannot parse (an empty name, a bad escape, too many parameters):
 *       400. Tomcat parses it the first time anything asks for a parameter, and throws there;</li>
 *   <li>an Accept header that cannot be parsed or lists nothing, or on a request that changes something (POST,
 *       PUT, PATCH, DELETE) one that accepts no JSON: 406. Spring looks at Accept only when it writes the response, after
 *       the change was made, so the client got an error for a change that had happened.</li>
 * </ul>
 */
final class MalformedRequestFilter extends OncePerRequestFilter {

    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    private final ProblemWriter problems;

    MalformedRequestFilter(ProblemWriter problems) {
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String contentType = request.getHeader(HttpHeaders.CONTENT_TYPE);
        String charset = request.getCharacterEncoding();
        if ((contentType != null && !concrete(contentType)) || (charset != null && !readable(charset))) {
            problems.write(response, HttpProblems.unsupportedContentType());
            return;
        }
        String accept = request.getHeader(HttpHeaders.ACCEPT);
        if (accept != null && !acceptable(accept, SAFE_METHODS.contains(request.getMethod()))) {
            problems.write(response, HttpProblems.notAcceptable());
            return;
        }
        try {
            request.getParameterNames();
        } catch (IllegalStateException malformed) {
            problems.write(response, HttpProblems.malformedParameters());
            return;
        }
        chain.doFilter(request, response);
    }

    private static boolean acceptable(String accept, boolean safe) {
        List<MediaType> types;
        try {
            types = MediaType.parseMediaTypes(accept);
        } catch (InvalidMediaTypeException e) {
            return false;
        }
        // an empty list accepts nothing (RFC 9110 12.5.1); Boot's Prometheus endpoint threw on it
        return !types.isEmpty() && (safe || types.stream().anyMatch(type -> type.getQualityValue() > 0
                && (type.isCompatibleWith(MediaType.APPLICATION_JSON) || type.isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))));
    }

    private static boolean concrete(String contentType) {
        try {
            return MediaType.parseMediaType(contentType).isConcrete();
        } catch (IllegalArgumentException e) { // InvalidMediaTypeException, or an unreadable charset
            return false;
        }
    }

    private static boolean readable(String charset) {
        try {
            return Charset.isSupported(charset);
        } catch (IllegalCharsetNameException e) {
            return false;
        }
    }
}
