package io.psip.provisioning.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The served description ({@code /v3/api-docs}) and its browsable page ({@code /swagger-ui.html}). */
@Configuration
class OpenApiConfig {

    @Bean
    OpenAPI psipOpenApi() {
        return new OpenAPI()
                .info(new Info().title("psip provisioning API").version("1")
                        .description("Programmable SIP domains (/v1/psip), applications (/v2/applications), numbers "
                                + "(/v1/numbers) and admin endpoints (/v1/admin, admin accounts). HTTP Basic with the account's API "
                                + "key and secret. Errors are application/problem+json."))
                .components(new Components().addSecuritySchemes("basicAuth",
                        new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic")))
                .addSecurityItem(new SecurityRequirement().addList("basicAuth"));
    }
}
