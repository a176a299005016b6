package io.psip.web;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A service as small as can be, with one operator path of its own and one open path. */
@SpringBootConfiguration
@EnableAutoConfiguration(exclude = UserDetailsServiceAutoConfiguration.class)
class TestService {

    @Bean
    OperatorPaths testOperatorPaths() {
        return new OperatorPaths("/ops/**");
    }

    static final AtomicInteger CHANGES = new AtomicInteger();

    @RestController
    static class Endpoints {

        @GetMapping("/ops/tables")
        Map<String, String> tables() {
            return Map.of("secret", "table");
        }

        @GetMapping("/open/hello")
        Map<String, String> hello(@RequestParam(name = "name", required = false) String name) {
            return Map.of("hello", name == null ? "world" : name);
        }

        /** Counts the changes it made, so a test can tell whether a refused request changed anything. */
        @PostMapping("/open/changes")
        Map<String, Integer> change() {
            return Map.of("changes", CHANGES.incrementAndGet());
        }
    }
}
