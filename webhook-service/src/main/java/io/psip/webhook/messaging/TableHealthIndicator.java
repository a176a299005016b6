package io.psip.webhook.messaging;

import io.psip.schemas.kafka.CompactedTopicReader;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import java.util.function.IntSupplier;

/** Ready once a table has read its compacted topic up to the end offsets seen at start. */
public class TableHealthIndicator implements HealthIndicator {

    private final CompactedTopicReader<?> reader;
    private final String sizeDetail;
    private final IntSupplier size;

    /** {@code sizeDetail}: the name under which the table's {@code size} is shown (e.g. "applications"). */
    public TableHealthIndicator(CompactedTopicReader<?> reader, String sizeDetail, IntSupplier size) {
        this.reader = reader;
        this.sizeDetail = sizeDetail;
        this.size = size;
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
        return health.withDetail(sizeDetail, size.getAsInt())
                .withDetail("skippedRecords", reader.skippedRecords())
                .build();
    }
}
