package io.psip.webhook.messaging;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * At-least-once event_url delivery.
 *
 * @param group         the consumer group of psip.call-events
 * @param logRetention  how long psip.webhook-deliveries keeps an entry (set when the topic is created); events
 *                      and resumed deliveries older than this are skipped, as the log no longer knows them
 * @param maxUnfinished call events read but not yet durable beyond which the consumer pauses
 * @param sessionTimeout how long the group waits for an instance that died before its partitions (and their
 *                      calls' pending deliveries) go to another
 */
@ConfigurationProperties("psip.webhook.delivery")
public record DeliveryProperties(@DefaultValue("webhook-service") String group,
                                 @DefaultValue("7d") Duration logRetention,
                                 @DefaultValue("100000") int maxUnfinished,
                                 @DefaultValue("45s") Duration sessionTimeout) {
}
