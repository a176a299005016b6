package io.psip.routing.web;

import io.psip.web.OperatorPaths;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The tables show every tenant's domains and ACLs, and the admin endpoints rebuild them: the operator's, like the actuator (web-support). */
@Configuration
class OperatorEndpoints {

    @Bean
    OperatorPaths routingOperatorPaths() {
        return new OperatorPaths("/v1/tables/**", "/v1/admin/**");
    }
}
