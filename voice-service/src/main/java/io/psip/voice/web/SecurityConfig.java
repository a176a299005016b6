package io.psip.voice.web;

import io.psip.voice.auth.BearerTokenFilter;
import io.psip.voice.auth.TokenVerifier;
import io.psip.web.HttpProblems;
import io.psip.web.ProblemWriter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * The Voice API chain: {@code /v1/**} needs an application's Bearer JWT ({@link BearerTokenFilter}); health and
 * metrics are open; the rest of the actuator is the operator's, in web-support's operator chain, which comes
 * first. The filter is built here, not declared as a bean, so it runs in this chain only. Stateless, no CSRF
 * (no cookies are ever issued).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

    @Bean
    @Order(1)
    SecurityFilterChain voiceApi(HttpSecurity http, TokenVerifier verifier, ProblemWriter problems) throws Exception {
        http.securityMatcher(PathPatternRequestMatcher.withDefaults().matcher("/v1/**"))
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .addFilterBefore(new BearerTokenFilter(verifier, problems), AuthorizationFilter.class)
                .authorizeHttpRequests(auth -> auth.anyRequest().hasRole(BearerTokenFilter.ROLE));
        return http.build();
    }

    /** Everything else: health and metrics, or a 404 problem (this service serves nothing more). */
    @Bean
    @Order(2)
    SecurityFilterChain open(HttpSecurity http, ProblemWriter problems) throws Exception {
        http.csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .authorizeHttpRequests(auth -> auth
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus", "/error")
                        .permitAll()
                        .anyRequest().denyAll())
                .exceptionHandling(ex -> ex
                        .authenticationEntryPoint((request, response, e) ->
                                problems.write(response, HttpProblems.forStatus(404)))
                        .accessDeniedHandler((request, response, e) ->
                                problems.write(response, HttpProblems.forStatus(404))));
        return http.build();
    }
}
