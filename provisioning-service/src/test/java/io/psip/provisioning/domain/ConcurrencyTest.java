package io.psip.provisioning.domain;

import io.psip.events.DomainChanged;
import io.psip.provisioning.Fixtures;
import io.psip.provisioning.Http;
import io.psip.provisioning.IntegrationTest;
import io.psip.provisioning.TopicProbe;
import io.psip.schemas.Topics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Issue 3 item 6: ETag / If-Match, and two concurrent updates of one domain. */
class ConcurrencyTest extends IntegrationTest {

    @Test
    void staleIfMatchIs412AndChangesNothing() {
        String app = createApplication(admin());
        String name = createDomain(admin(), app);
        Http.Response read = admin().get("/v1/psip/" + name);
        assertThat(read.etag()).isEqualTo("\"1\"");

        Http.Response first = admin().send("PUT", "/v1/psip/" + name, Fixtures.domain(name, app, "192.0.2.10"),
                Map.of("If-Match", read.etag()));
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.etag()).isEqualTo("\"2\"");

        long outbox = outboxRows(name);
        Http.Response stale = admin().send("PUT", "/v1/psip/" + name, Fixtures.domain(name, app, "192.0.2.11"),
                Map.of("If-Match", read.etag()));
        assertThat(stale.status()).isEqualTo(412);
        assertThat(stale.contentType()).startsWith("application/problem+json");
        assertThat(admin().send("DELETE", "/v1/psip/" + name, null, Map.of("If-Match", "\"1\"")).status()).isEqualTo(412);
        assertThat(admin().send("POST", "/v1/psip/" + name + "/users", "{\"key\": \"u1\", \"secret\": \"secret-123\"}",
                Map.of("If-Match", "\"1\"")).status()).isEqualTo(412);
        assertThat(outboxRows(name)).isEqualTo(outbox);
        assertThat(admin().get("/v1/psip/" + name).json().get("acl").get(0).asString()).isEqualTo("192.0.2.10/32");

        Http.Response appRead = admin().get("/v2/applications/" + app);
        assertThat(admin().send("PUT", "/v2/applications/" + app, Fixtures.application("x"), Map.of("If-Match", "\"7\""))
                .status()).isEqualTo(412);
        assertThat(admin().send("PUT", "/v2/applications/" + app, Fixtures.application("x"), Map.of("If-Match", appRead.etag()))
                .status()).isEqualTo(200);
        assertThat(admin().send("DELETE", "/v1/psip/" + name, null, Map.of("If-Match", "\"2\"")).status()).isEqualTo(200);
    }

    @Test
    void concurrentUpdatesWithTheSameVersionOneWinsOneGets412() throws Exception {
        String app = createApplication(admin());
        String name = createDomain(admin(), app);
        int rounds = 5;
        List<String> winners = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            String etag = admin().get("/v1/psip/" + name).etag();
            CountDownLatch start = new CountDownLatch(1);
            List<CompletableFuture<Http.Response>> racers = new ArrayList<>();
            for (String ip : List.of("198.51.100." + (round * 2 + 1), "198.51.100." + (round * 2 + 2))) {
                racers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return admin().send("PUT", "/v1/psip/" + name, Fixtures.domain(name, app, ip), Map.of("If-Match", etag));
                }));
            }
            start.countDown();
            List<Integer> statuses = racers.stream().map(CompletableFuture::join).map(Http.Response::status).toList();
            assertThat(statuses).containsExactlyInAnyOrder(201, 412);
            Http.Response winner = racers.stream().map(CompletableFuture::join).filter(r -> r.status() == 201).findFirst().orElseThrow();
            winners.add(winner.json().get("acl").get(0).asString());
        }

        Http.Response last = admin().get("/v1/psip/" + name);
        assertThat(last.etag()).isEqualTo("\"" + (rounds + 1) + "\"");
        assertThat(last.json().get("acl").get(0).asString()).isEqualTo(winners.get(rounds - 1));
        try (TopicProbe probe = new TopicProbe(Topics.DOMAINS.name())) {
            List<ConsumerRecord<String, DomainChanged>> records = await().atMost(Duration.ofSeconds(60))
                    .until(() -> probe.<DomainChanged>poll(name), l -> l.size() >= rounds + 1);
            assertThat(records).extracting(r -> r.value().getVersion()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            for (int round = 0; round < rounds; round++) {
                assertThat(records.get(round + 1).value().getAcl()).containsExactly(winners.get(round));
            }
        }
    }
}
