package io.psip.provisioning.web;

import io.psip.provisioning.PsipProperties;
import io.psip.provisioning.account.AccountPrincipal;
import io.psip.provisioning.account.CachingPasswordEncoder;
import io.psip.web.ProblemWriter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.CorsConfigurationSource;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;

import java.time.Duration;
import java.util.List;

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

    /**
     * The web console calls the API from another origin with Basic credentials in a header (never cookies), so a
     * listed origin gets CORS; a preflight is answered before authentication, as browsers send it without them.
     * With no origin listed nothing is registered, so requests are handled exactly as without CORS.
     */
    @Bean
    CorsConfigurationSource corsConfigurationSource(PsipProperties props) {
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        if (props.api().cors().allowedOrigins().isEmpty()) {
            return source;
        }
        CorsConfiguration cors = new CorsConfiguration();
        cors.setAllowedOrigins(props.api().cors().allowedOrigins());
        cors.setAllowedMethods(List.of("GET", "POST", "PUT", "PATCH", "DELETE"));
        cors.setAllowedHeaders(List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE, HttpHeaders.IF_MATCH));
        cors.setExposedHeaders(List.of(HttpHeaders.ETAG, HttpHeaders.LOCATION));
        cors.setMaxAge(Duration.ofMinutes(10));
        source.registerCorsConfiguration("/v1/**", cors);
        source.registerCorsConfiguration("/v2/**", cors);
        return source;
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
                .cors(Customizer.withDefaults())
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
