package io.psip.provisioning.web;

import io.psip.provisioning.account.AccountPrincipal;
import io.psip.provisioning.account.CachingPasswordEncoder;
import io.psip.web.ProblemWriter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;

import java.time.Duration;

/**
 * HTTP Basic with the account's API key and secret on every API path; health, metrics and the API description
 * are open. The rest of the actuator is the operator's, in web-support's operator chain, which comes first: no
 * account, admin or not, opens it, and the operator credential opens nothing here (admin endpoints are for admin
 * accounts). Stateless: no session, no CSRF (no cookies are ever issued).
 */
@Configuration
class SecurityConfig {

    @Bean
    PasswordEncoder passwordEncoder() {
        return new CachingPasswordEncoder(new BCryptPasswordEncoder(), Duration.ofMinutes(5));
    }

    @Bean
    SecurityFilterChain api(HttpSecurity http, ProblemWriter problems) throws Exception {
        AuthenticationEntryPoint unauthorized = (request, response, e) -> {
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"psip\"");
            problems.write(response, Problems.unauthorized());
        };
        AccessDeniedHandler forbidden = (request, response, e) -> problems.write(response,
                suspended() ? Problems.suspended() : Problems.forbidden());
        http.csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus",
                                "/v3/api-docs", "/v3/api-docs/**", "/v3/api-docs.yaml", "/swagger-ui.html", "/swagger-ui/**", "/error")
                        .permitAll()
                        .requestMatchers("/v1/admin/**").hasRole("ADMIN")
                        // a suspended account authenticates but has no role (see AccountPrincipal)
                        .anyRequest().hasRole("TENANT"))
                .httpBasic(basic -> basic.authenticationEntryPoint(unauthorized))
                .exceptionHandling(ex -> ex.authenticationEntryPoint(unauthorized).accessDeniedHandler(forbidden));
        return http.build();
    }

    private static boolean suspended() {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        return auth != null && auth.getPrincipal() instanceof AccountPrincipal account && account.suspended();
    }
}
