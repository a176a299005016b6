package io.psip.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * The per-source budget of failed Basic-auth attempts ({@code psip.auth-failures.*}): a bucket of {@code burst}
 * failures per source that refills one failure every {@code refill-period}; at most {@code max-sources} sources
 * are tracked, beyond them new sources share one bucket.
 */
@ConfigurationProperties("psip.auth-failures")
public record AuthFailureProperties(@DefaultValue("10") int burst, @DefaultValue("6s") Duration refillPeriod,
                                    @DefaultValue("10000") int maxSources) {
}
