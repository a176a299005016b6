package io.psip.voice.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/** Settings of voice-service; the local defaults live in application.yml. */
@ConfigurationProperties("psip")
public record VoiceProperties(Kafka kafka, SchemaRegistry schemaRegistry, @DefaultValue Voice voice) {

    public record Kafka(String bootstrapServers) {
    }

    /** @param autoRegister whether the command producer registers its schema (false on a read-only follower) */
    public record SchemaRegistry(String url, @DefaultValue("true") boolean autoRegister) {
    }

    /**
     * @param maxTokenLifetime  the longest {@code exp - iat} a JWT may ask for (Vonage's own limit is 24 h)
     * @param defaultTokenLifetime how long a JWT without {@code exp} lives after its {@code iat} (Vonage's Java
     *                          SDK sends none)
     * @param clockSkew         how far the caller's clock may be ahead ({@code iat}) or behind ({@code exp})
     * @param maxTrackedTokens  how many unexpired token ids the replay guard holds; beyond it new tokens are
     *                          refused (503) rather than a replay let through
     * @param consumerGroup     the Kafka consumer group of the call-record projection
     * @param retryBackoff      how long the projection waits after a failed database write before it retries
     */
    public record Voice(@DefaultValue("24h") Duration maxTokenLifetime,
                        @DefaultValue("15m") Duration defaultTokenLifetime,
                        @DefaultValue("30s") Duration clockSkew,
                        @DefaultValue("100000") int maxTrackedTokens,
                        @DefaultValue("voice-service-call-records") String consumerGroup,
                        @DefaultValue("1s") Duration retryBackoff) {
    }
}
