package io.psip.web;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/** A service as small as can be, with one operator path of its own and one open path. */
@SpringBootConfiguration
@EnableAutoConfiguration(exclude = UserDetailsServiceAutoConfiguration.class)
class TestService {

    @Bean
    OperatorPaths testOperatorPaths() {
        return new OperatorPaths("/ops/**");
    }

    @RestController
    static class Endpoints {

        @GetMapping("/ops/tables")
        Map<String, String> tables() {
            return Map.of("secret", "table");
        }

        @GetMapping("/open/hello")
        Map<String, String> hello() {
            return Map.of("hello", "world");
        }
    }
}
