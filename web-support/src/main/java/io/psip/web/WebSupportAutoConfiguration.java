package io.psip.web;

import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.apache.catalina.Pipeline;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.security.autoconfigure.web.servlet.SecurityFilterProperties;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AndRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;

/**
 * What every psip HTTP service gets by having this module on its class path:
 * <ul>
 *   <li>the operator chain: every actuator endpoint except health and prometheus, plus the service's
 *       {@link OperatorPaths}, needs the operator credential (HTTP Basic, {@code psip.operator.*}); without a
 *       configured password they are refused to everyone (403);</li>
 *   <li>failed Basic-auth attempts limited per source (429) before any credential is checked;</li>
 *   <li>RFC 7807 bodies for every error: Spring MVC's, the firewall's rejections (400, not Spring Security's
 *       default 500), a query string Tomcat cannot parse (400) and a charset nothing can read (415) instead of a
 *       500 from wherever they were first touched, the servlet error page and Tomcat's own error report.</li>
 * </ul>
 */
@AutoConfiguration(beforeName = {"org.springframework.boot.webmvc.autoconfigure.error.ErrorMvcAutoConfiguration",
        "org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration"})
@EnableConfigurationProperties({OperatorProperties.class, AuthFailureProperties.class})
public class WebSupportAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(WebSupportAutoConfiguration.class);

    @Bean
    ProblemWriter problemWriter(JsonMapper json) {
        return new ProblemWriter(json);
    }

    @Bean
    ProblemErrorController problemErrorController(ProblemWriter problems) {
        return new ProblemErrorController(problems);
    }

    /** Before Boot's own (problemdetails) handler, which would leave the content type to negotiation. */
    @Bean
    @ConditionalOnMissingBean(ResponseEntityExceptionHandler.class)
    ProblemExceptionHandler problemExceptionHandler() {
        return new ProblemExceptionHandler();
    }

    /** Just after the body size limit (provisioning's, at the highest precedence), before everything else. */
    @Bean
    FilterRegistrationBean<MalformedRequestFilter> malformedRequestFilter(ProblemWriter problems) {
        FilterRegistrationBean<MalformedRequestFilter> registration =
                new FilterRegistrationBean<>(new MalformedRequestFilter(problems));
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE + 1);
        return registration;
    }

    /** After Boot's own Tomcat customizer, whose error report valve (HTML) this one replaces. */
    @Bean
    WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> problemErrorReportValve(JsonMapper json) {
        return new WebServerFactoryCustomizer<>() {
            @Override
            public void customize(ConfigurableTomcatWebServerFactory factory) {
                factory.addContextCustomizers(context -> {
                    Pipeline pipeline = context.getParent().getPipeline();
                    for (Valve valve : pipeline.getValves()) {
                        if (valve instanceof ErrorReportValve) {
                            pipeline.removeValve(valve);
                        }
                    }
                    pipeline.addValve(new ProblemErrorReportValve(json));
                    // the host adds a valve of its error report class at start unless one is there already
                    if (context.getParent() instanceof StandardHost host) {
                        host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
                    }
                });
            }
        };
    }

    @Bean
    RequestRejectedHandler problemRequestRejectedHandler(ProblemWriter problems) {
        return (request, response, rejected) -> problems.write(response, HttpProblems.rejected());
    }

    @Bean
    FailedAuthLimiter failedAuthLimiter(AuthFailureProperties props) {
        return new FailedAuthLimiter(props.burst(), props.refillPeriod(), props.maxSources(), System::nanoTime);
    }

    /** Before Spring Security's filter, so a throttled source costs no credential check. */
    @Bean
    FilterRegistrationBean<FailedAuthFilter> failedAuthFilter(FailedAuthLimiter limiter, ProblemWriter problems,
                                                              MeterRegistry meters) {
        FilterRegistrationBean<FailedAuthFilter> registration =
                new FilterRegistrationBean<>(new FailedAuthFilter(limiter, problems, meters));
        registration.setOrder(SecurityFilterProperties.DEFAULT_FILTER_ORDER - 1);
        return registration;
    }

    /** First of the service's chains: the operator's paths never reach a tenant chain. */
    @Bean
    @Order(0)
    SecurityFilterChain operatorChain(HttpSecurity http, OperatorProperties operator, ProblemWriter problems,
                                      ObjectProvider<OperatorPaths> servicePaths) throws Exception {
        String guarded = "actuator except health and prometheus"
                + servicePaths.stream().flatMap(p -> p.patterns().stream()).map(p -> ", " + p).reduce("", String::concat);
        if (operator.configured()) {
            log.info("operator endpoints ({}) need the operator credential of user '{}'", guarded, operator.username());
        } else {
            log.warn("psip.operator.password is not set: operator endpoints ({}) are refused to everyone", guarded);
        }
        AuthenticationEntryPoint entryPoint = (request, response, e) -> {
            if (operator.configured()) {
                response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Basic realm=\"psip operator\"");
                problems.write(response, HttpProblems.operatorUnauthorized());
            } else {
                problems.write(response, HttpProblems.operatorDisabled());
            }
        };
        http.securityMatcher(operatorPaths(servicePaths))
                .csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .authenticationManager(new ProviderManager(new OperatorAuthenticationProvider(operator)))
                .authorizeHttpRequests(auth -> auth.anyRequest().hasRole(OperatorAuthenticationProvider.ROLE))
                .httpBasic(basic -> basic.authenticationEntryPoint(entryPoint))
                .exceptionHandling(ex -> ex.authenticationEntryPoint(entryPoint)
                        .accessDeniedHandler((request, response, e) -> problems.write(response, HttpProblems.operatorDisabled())));
        return http.build();
    }

    private static RequestMatcher operatorPaths(ObjectProvider<OperatorPaths> servicePaths) {
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        List<RequestMatcher> matchers = new ArrayList<>();
        // the whole actuator path, exposed or not, so an endpoint exposed later is guarded from the start
        matchers.add(new AndRequestMatcher(paths.matcher("/actuator/**"),
                new NegatedRequestMatcher(EndpointRequest.to("health", "prometheus"))));
        servicePaths.forEach(p -> p.patterns().forEach(pattern -> matchers.add(paths.matcher(pattern))));
        return new OrRequestMatcher(matchers);
    }
}
