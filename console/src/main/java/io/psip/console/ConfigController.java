package io.psip.console;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Map;

/** The page's only input from its server: where the API is. */
@RestController
class ConfigController {

    private final ConsoleProperties props;

    ConfigController(ConsoleProperties props) {
        this.props = props;
    }

    @GetMapping("/config.json")
    Map<String, String> config() {
        return Map.of("api_url", props.apiUrl());
    }
}
