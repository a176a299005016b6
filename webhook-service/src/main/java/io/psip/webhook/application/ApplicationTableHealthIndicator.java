package io.psip.webhook.application;

import io.psip.events.ApplicationChanged;
import io.psip.schemas.kafka.CompactedTopicReader;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** Ready once the applications table has read {@code psip.applications} up to the end offsets seen at start. */
public class ApplicationTableHealthIndicator implements HealthIndicator {

    private final CompactedTopicReader<ApplicationChanged> reader;
    private final ApplicationTable table;

    public ApplicationTableHealthIndicator(CompactedTopicReader<ApplicationChanged> reader, ApplicationTable table) {
        this.reader = reader;
        this.table = table;
    }

    @Override
    public Health health() {
        Health.Builder health;
        if (reader.failed()) {
            health = Health.down().withDetail("error", String.valueOf(reader.failure()));
        } else if (reader.caughtUp()) {
            health = Health.up();
        } else {
            health = Health.outOfService().withDetail("reason", "catching up with " + reader.topic().name());
        }
        return health.withDetail("applications", table.size())
                .withDetail("skippedRecords", reader.skippedRecords())
                .build();
    }
}
