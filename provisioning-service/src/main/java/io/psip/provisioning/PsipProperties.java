package io.psip.provisioning;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.time.Duration;
import java.util.List;

/**
 * Every {@code psip.*} setting of the provisioning service; defaults live in application.yml. {@code baseDomain}
 * is routing's {@code psip.base-domain}: SIP Connect's digest realm is {@code sip.<base-domain>}, so both must
 * agree.
 */
@ConfigurationProperties("psip")
public record PsipProperties(Kafka kafka, SchemaRegistry schemaRegistry, BootstrapAccount bootstrapAccount,
                             Outbox outbox, Api api, String baseDomain) {

    public record Kafka(String bootstrapServers) {
    }

    public record SchemaRegistry(String url) {
    }

    /** The admin account created at the first start; its configured secret is never applied to an existing account. */
    public record BootstrapAccount(String apiKey, String apiSecret) {

        @Override
        public String toString() {
            return "BootstrapAccount[apiKey=" + apiKey + "]";
        }
    }

    /**
     * Relay pacing: how often it looks for pending rows without a wake-up, how long one send may take, and how
     * long published rows are kept (for audit and debugging) before they are deleted.
     */
    public record Outbox(Duration pollInterval, int batchSize, Duration sendTimeout, Duration retention) {
    }

    /**
     * {@code cors.allowedOrigins}: the browser origins (the web console's) that may call the API from a page;
     * empty (the default) allows none.
     */
    public record Api(int maxBodyBytes, Cors cors) {

        public Api {
            cors = cors == null ? new Cors(List.of()) : cors;
        }
    }

    public record Cors(List<String> allowedOrigins) {

        public Cors {
            allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
        }
    }
}
