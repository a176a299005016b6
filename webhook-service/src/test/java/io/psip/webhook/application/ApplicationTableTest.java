package io.psip.webhook.application;

import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import io.psip.events.Webhook;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class ApplicationTableTest {

    private final ApplicationTable table = new ApplicationTable();

    @Test
    void keepsTheNewestVersionWhateverTheOrder() {
        table.apply("app-1", changed("app-1", 2, ChangeType.UPDATED, "http://new.example/answer"));
        table.apply("app-1", changed("app-1", 1, ChangeType.CREATED, "http://old.example/answer"));
        table.apply("app-1", changed("app-1", 2, ChangeType.UPDATED, "http://repeat.example/answer"));

        assertThat(table.find("app-1")).hasValueSatisfying(app -> {
            assertThat(app.version()).isEqualTo(2);
            assertThat(app.answerUrl()).hasValueSatisfying(
                    url -> assertThat(url.address()).isEqualTo(URI.create("http://new.example/answer")));
        });
    }

    @Test
    void deletedStaysDeletedAgainstOlderVersionsAndTombstoneForgets() {
        table.apply("app-2", changed("app-2", 1, ChangeType.CREATED, "http://a.example/answer"));
        table.apply("app-2", changed("app-2", 3, ChangeType.DELETED, "http://a.example/answer"));
        table.apply("app-2", changed("app-2", 2, ChangeType.UPDATED, "http://stale.example/answer"));
        assertThat(table.find("app-2")).isEmpty();

        table.apply("app-3", changed("app-3", 1, ChangeType.CREATED, "http://b.example/answer"));
        table.apply("app-3", null);
        assertThat(table.find("app-3")).isEmpty();
        assertThat(table.size()).isZero();
    }

    @Test
    void mapsWebhooksWithTheirTimeouts() {
        ApplicationChanged changed = changed("app-4", 1, ChangeType.CREATED, "https://c.example/answer");
        changed.setEventUrl(new Webhook("https://c.example/event", "post", 700, 3000));
        changed.setFallbackAnswerUrl(new Webhook("not a url", "GET", 1000, 5000));
        table.apply("app-4", changed);

        Application app = table.find("app-4").orElseThrow();
        assertThat(app.eventUrl()).contains(new WebhookTarget(URI.create("https://c.example/event"), "POST",
                Duration.ofMillis(700), Duration.ofSeconds(3)));
        assertThat(app.fallbackAnswerUrl()).isEmpty();
    }

    static ApplicationChanged changed(String id, long version, ChangeType type, String answerUrl) {
        return ApplicationChanged.newBuilder()
                .setEventId(id + "-" + version)
                .setVersion(version)
                .setOccurredAt(Instant.now())
                .setChangeType(type)
                .setApplicationId(id)
                .setAccountId("acc-1")
                .setName("app")
                .setAnswerUrl(new Webhook(answerUrl, "GET", 1000, 5000))
                .build();
    }
}
