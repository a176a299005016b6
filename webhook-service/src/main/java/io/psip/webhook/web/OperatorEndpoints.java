package io.psip.webhook.web;

import io.psip.web.OperatorPaths;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The admin endpoints re-deliver every tenant's webhooks and show the tables: the operator's, like the actuator. */
@Configuration
class OperatorEndpoints {

    @Bean
    OperatorPaths webhookOperatorPaths() {
        return new OperatorPaths("/v1/admin/**");
    }
}
