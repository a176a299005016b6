package io.psip.web;

import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.AuthorityUtils;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Checks the operator credential, and nothing else: it is the only provider of the operator chain, so no
 * tenant account opens an operator endpoint, and it is no bean, so the operator opens no tenant endpoint. The
 * comparison is of SHA-256 digests in constant time, so neither a length nor a prefix leaks through timing.
 */
final class OperatorAuthenticationProvider implements AuthenticationProvider {

    static final String ROLE = "OPERATOR";

    private final byte[] username;
    private final byte[] password;

    OperatorAuthenticationProvider(OperatorProperties operator) {
        this.username = digest(operator.username());
        this.password = operator.configured() ? digest(operator.password()) : null;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String presentedName = authentication.getName();
        Object presentedPassword = authentication.getCredentials();
        boolean nameMatches = MessageDigest.isEqual(username, digest(presentedName));
        boolean passwordMatches = password != null && presentedPassword != null
                && MessageDigest.isEqual(password, digest(presentedPassword.toString()));
        if (!(nameMatches && passwordMatches)) {
            throw new BadCredentialsException("not the operator credential");
        }
        return UsernamePasswordAuthenticationToken.authenticated(presentedName, null,
                AuthorityUtils.createAuthorityList("ROLE_" + ROLE));
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return UsernamePasswordAuthenticationToken.class.isAssignableFrom(authentication);
    }

    private static byte[] digest(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest((value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by the JRE", e);
        }
    }
}
