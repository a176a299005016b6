package io.psip.webhook.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/** Settings of webhook-service; the local defaults live in application.yml. */
@ConfigurationProperties("psip")
public record PsipProperties(Kafka kafka, SchemaRegistry schemaRegistry, @DefaultValue Webhook webhook) {

    public record Kafka(String bootstrapServers) {
    }

    /**
     * @param autoRegister whether the command producer registers its schema; false where the registry is a
     *                     read-only follower of the central one (a region's own cluster): it only looks it up
     */
    public record SchemaRegistry(String url, @DefaultValue("true") boolean autoRegister) {
    }

    /**
     * @param regionUrl         the {@code region_url} sent to answer_url; {@code {region}} is replaced by the
     *                          call's region (us, eu, ap)
     * @param applicationWait   how long an offered call waits for its application to arrive from the topic
     * @param answerDeadline    time from an offer within which answer_url (and fallback) must have produced the
     *                          command; keep it below routing's command timeout (10 s)
     * @param maxOfferAge       an offer older than this (since routing made it) when its answer_url would be
     *                          called is rejected with 503: it waited in the topic or in our queue, so the service
     *                          is behind; keep it well below answerDeadline
     * @param callStateTtl      how long a call whose final event never comes keeps its state
     * @param maxActiveCalls    calls in progress beyond which new offers are rejected with 503
     * @param threads           threads running call lanes and HTTP completions
     * @param shutdownGrace     how long shutdown waits for calls in progress to finish their webhooks
     */
    public record Webhook(@DefaultValue("https://api-{region}.example.com") String regionUrl,
                          @DefaultValue("2s") Duration applicationWait,
                          @DefaultValue("9s") Duration answerDeadline,
                          @DefaultValue("2s") Duration maxOfferAge,
                          @DefaultValue("12h") Duration callStateTtl,
                          @DefaultValue("5000") int maxActiveCalls,
                          @DefaultValue("4") int threads,
                          @DefaultValue("10s") Duration shutdownGrace,
                          @DefaultValue EventRetry eventRetry) {
    }

    /** Retries of event_url posts before they are dead-lettered. */
    public record EventRetry(@DefaultValue("5") int maxAttempts,
                             @DefaultValue("500ms") Duration initialBackoff,
                             @DefaultValue("8s") Duration maxBackoff) {
    }
}
