package io.psip.admin;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the platform is and who the CLI is to it: bin/psip-local's defaults (shifted by {@code --port-offset} as
 * psip-local shifts them), each overridable. Routing and webhook's admin endpoints take the operator credential;
 * provisioning's take the admin account's API key and secret.
 */
record Targets(Map<String, URI> routing, URI webhook, URI provisioning, URI registry, String operatorAuth,
               String accountAuth) {

    static final List<String> REGIONS = List.of("us", "eu", "ap");
    static final String DEFAULT_OPERATOR = "operator:psiplocaloperator";
    static final String DEFAULT_ACCOUNT = "psiplocal:psiplocalsecret";

    static Targets from(Arguments args) {
        int offset = portOffset(args.value("--port-offset"));
        Map<String, URI> routing = new LinkedHashMap<>();
        routing.put("us", url(args, "--routing-us", 8091 + offset));
        routing.put("eu", url(args, "--routing-eu", 8092 + offset));
        routing.put("ap", url(args, "--routing-ap", 8093 + offset));
        return new Targets(routing, url(args, "--webhook", 8082 + offset), url(args, "--provisioning", 8080 + offset),
                url(args, "--registry", 8081 + offset),
                basic("--operator", args.value("--operator") == null ? DEFAULT_OPERATOR : args.value("--operator")),
                basic("--account", args.value("--account") == null ? DEFAULT_ACCOUNT : args.value("--account")));
    }

    /** Routing of {@code region}. */
    URI routing(String region) {
        URI uri = routing.get(region);
        if (uri == null) {
            throw new UsageException(null, "unknown region '" + region + "' (us, eu or ap)");
        }
        return uri;
    }

    private static int portOffset(String value) {
        if (value == null) {
            return 0;
        }
        try {
            int offset = Integer.parseInt(value);
            if (offset < 0 || offset > 50000) {
                throw new NumberFormatException();
            }
            return offset;
        } catch (NumberFormatException e) {
            throw new UsageException(null, "--port-offset must be a number from 0 to 50000");
        }
    }

    private static URI url(Arguments args, String option, int defaultPort) {
        String value = args.value(option);
        if (value == null) {
            return URI.create("http://127.0.0.1:" + defaultPort);
        }
        try {
            URI uri = URI.create(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new UsageException(null, option + " must be an http(s) URL, not '" + value + "'");
        }
    }

    private static String basic(String option, String userColonPassword) {
        int colon = userColonPassword.indexOf(':');
        if (colon <= 0 || colon == userColonPassword.length() - 1) {
            throw new UsageException(null, option + " must be user:password");
        }
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }
}
