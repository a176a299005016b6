package io.psip.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * Runs before Spring Security on every request that carries Basic credentials: a source over its budget of
 * failed attempts gets 429 with Retry-After before any password hash is computed; a request answered 401 (its
 * credentials were wrong) keeps the token it took. Counted in {@code psip.http.auth.failures} and
 * {@code psip.http.auth.throttled}.
 */
final class FailedAuthFilter extends OncePerRequestFilter {

    private final FailedAuthLimiter limiter;
    private final ProblemWriter problems;
    private final Counter failures;
    private final Counter throttled;

    FailedAuthFilter(FailedAuthLimiter limiter, ProblemWriter problems, MeterRegistry meters) {
        this.limiter = limiter;
        this.problems = problems;
        this.failures = Counter.builder("psip.http.auth.failures")
                .description("Basic-auth attempts answered 401 (wrong or malformed credentials)").register(meters);
        this.throttled = Counter.builder("psip.http.auth.throttled")
                .description("Basic-auth attempts refused with 429 before any check: the source had too many failures")
                .register(meters);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic", 0, 5)) {
            chain.doFilter(request, response);
            return;
        }
        FailedAuthLimiter.Admission admission = limiter.tryAttempt(FailedAuthLimiter.sourceOf(request.getRemoteAddr()));
        if (admission instanceof FailedAuthLimiter.Refused refused) {
            throttled.increment();
            response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(HttpProblems.retrySeconds(refused.retryAfter())));
            problems.write(response, HttpProblems.tooManyFailedLogins(refused.retryAfter()));
            return;
        }
        try {
            chain.doFilter(request, response);
        } finally {
            if (response.getStatus() == HttpServletResponse.SC_UNAUTHORIZED) {
                failures.increment();
            } else {
                ((FailedAuthLimiter.Admitted) admission).attempt().succeeded();
            }
        }
    }
}
