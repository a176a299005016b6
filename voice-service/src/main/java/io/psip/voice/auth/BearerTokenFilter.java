package io.psip.voice.auth;

import io.psip.voice.web.VoiceProblems;
import io.psip.web.ProblemWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Locale;

/**
 * {@code Authorization: Bearer <JWT>} on every Voice API request, as Vonage does it; anything else, Basic
 * included, is refused with 401 and the reason. A verified token's {@link Caller} is the request's principal.
 */
public class BearerTokenFilter extends OncePerRequestFilter {

    public static final String ROLE = "APPLICATION";
    private static final String BEARER = "bearer ";

    private final TokenVerifier verifier;
    private final ProblemWriter problems;

    public BearerTokenFilter(TokenVerifier verifier, ProblemWriter problems) {
        this.verifier = verifier;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            refuse(response, VoiceProblems.unauthorized(
                    "The Voice API needs an Authorization: Bearer <JWT> signed with the application's private key."));
            return;
        }
        if (!header.toLowerCase(Locale.ROOT).startsWith(BEARER)) {
            refuse(response, VoiceProblems.unauthorized(
                    "Only Bearer JWT authentication is accepted here (as with Vonage's Voice API), not Basic."));
            return;
        }
        Caller caller;
        try {
            caller = verifier.verify(header.substring(BEARER.length()).trim());
        } catch (TokenRefused refused) {
            refuse(response, refused.unavailable() ? VoiceProblems.unavailable(refused.getMessage())
                    : VoiceProblems.unauthorized("Invalid token: " + refused.getMessage() + "."));
            return;
        }
        var authentication = new UsernamePasswordAuthenticationToken(caller, null,
                AuthorityUtils.createAuthorityList("ROLE_" + ROLE));
        SecurityContextHolder.getContext().setAuthentication(authentication);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    private void refuse(HttpServletResponse response, ProblemDetail problem) throws IOException {
        if (problem.getStatus() == HttpServletResponse.SC_UNAUTHORIZED) {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"psip voice\"");
        }
        problems.write(response, problem);
    }
}
