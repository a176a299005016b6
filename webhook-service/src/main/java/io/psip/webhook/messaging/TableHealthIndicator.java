package io.psip.webhook.messaging;

import io.psip.schemas.kafka.CompactedTopicReader;
import io.psip.schemas.kafka.ReaderView;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

import java.util.Map;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * Ready once a table has read its compacted topic up to the end offsets seen at start, and while it is neither
 * stuck on a record the registry cannot resolve yet nor holding dead letters an operator has not acknowledged:
 * either way a change is missing from the table. Also the table's entry in {@code GET /v1/admin/tables}.
 */
public class TableHealthIndicator implements HealthIndicator {

    private final CompactedTopicReader<?> reader;
    private final String sizeDetail;
    private final IntSupplier size;
    private final LongSupplier maxVersion;

    /** {@code sizeDetail}: the name under which the table's {@code size} is shown (e.g. "applications"). */
    public TableHealthIndicator(CompactedTopicReader<?> reader, String sizeDetail, IntSupplier size,
                                LongSupplier maxVersion) {
        this.reader = reader;
        this.sizeDetail = sizeDetail;
        this.size = size;
        this.maxVersion = maxVersion;
    }

    @Override
    public Health health() {
        Health.Builder health = switch (reader.state()) {
            case FAILED -> Health.down().withDetail("error", String.valueOf(reader.failure()));
            case CAUGHT_UP -> Health.up();
            case LOADING -> Health.outOfService().withDetail("reason", "catching up with " + reader.topic().name());
            case STUCK -> Health.outOfService().withDetail("reason", "stuck on a record of " + reader.topic().name())
                    .withDetail("stuck", reader.stuck().map(Object::toString).orElse(""));
            case DEAD_LETTERED -> Health.outOfService().withDetail("reason", "records of " + reader.topic().name()
                    + " went to the table dead-letter topic; acknowledge them once dealt with");
        };
        return health.withDetail(sizeDetail, size.getAsInt())
                .withDetail("deadLetters", reader.deadLetters())
                .build();
    }

    public CompactedTopicReader<?> reader() {
        return reader;
    }

    /** The table as the admin view shows it. */
    public Map<String, Object> view() {
        return ReaderView.of(reader, size.getAsInt(), maxVersion.getAsLong());
    }
}
