package io.psip.webhook.account;

import io.psip.events.AccountChanged;
import io.psip.schemas.kafka.CompactedTopicReader;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/** Ready once the accounts table has read {@code psip.accounts} up to the end offsets seen at start. */
public class AccountTableHealthIndicator implements HealthIndicator {

    private final CompactedTopicReader<AccountChanged> reader;
    private final AccountTable table;

    public AccountTableHealthIndicator(CompactedTopicReader<AccountChanged> reader, AccountTable table) {
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
        return health.withDetail("accounts", table.size())
                .withDetail("skippedRecords", reader.skippedRecords())
                .build();
    }
}
