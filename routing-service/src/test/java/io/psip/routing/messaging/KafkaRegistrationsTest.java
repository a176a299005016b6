package io.psip.routing.messaging;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.Binding;
import io.psip.events.Registration;
import io.psip.routing.RoutingProperties;
import io.psip.routing.call.DigestAuthenticator;
import io.psip.routing.call.RegionalHost;
import io.psip.routing.call.Registrar;
import io.psip.routing.call.Registrations;
import io.psip.routing.call.RegistrationMetrics;
import io.psip.routing.table.Domain;
import io.psip.routing.table.RoutingTables;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.schemas.net.Cidr;
import io.psip.testsupport.TestKafka;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The region's bindings on a real broker: what one instance registers the other sees, with where the REGISTER
 * came from; a removal reaches it as a tombstone; a restarted instance reads the current bindings back from offset
 * 0, without those already expired, and its own changes read back never undo a newer one.
 */
class KafkaRegistrationsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** Unique per run: the broker is shared by every test of this JVM. */
    private final String domain = "reg-" + UUID.randomUUID().toString().substring(0, 8);
    private final RoutingTables tables = new RoutingTables();
    private final AtomicInteger lost = new AtomicInteger();
    private final List<AutoCloseable> open = new ArrayList<>();

    KafkaRegistrationsTest() {
        new TopicCreator(TestKafka.bootstrapServers()).create(Topics.registrations("eu").name());
        Map<String, Domain.DigestCredentials> users = Map.of(
                "alice", new Domain.DigestCredentials("alice", "a", "a"),
                "bob", new Domain.DigestCredentials("bob", "b", "b"));
        tables.domains().upsert(domain, 1, new Domain(domain, 1, "acct", "app", List.of(Cidr.parse("127.0.0.0/8")),
                false, users, null, null, null));
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void anotherInstanceSeesBindingsAndTheirRemovalAndARestartReadsBackWhatIsLeft() {
        Registrar a = started("routing-eu-a");
        Registrar b = started("routing-eu-b");
        register(a, "alice", "sip:alice@192.0.2.10:5060", 600, "tcp");
        register(a, "bob", "sip:bob@192.0.2.11:5060", 600, "udp");
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.contactsOf(domain, "alice")).singleElement()
                .satisfies(contact -> {
                    assertThat(contact.uri()).isEqualTo("sip:alice@192.0.2.10:5060");
                    assertThat(contact.sourceAddress()).isEqualTo("127.0.0.1");
                    assertThat(contact.sourcePort()).isEqualTo(40000);
                    assertThat(contact.transport()).isEqualTo("tcp");
                    assertThat(contact.instanceId()).isEqualTo("routing-eu-a");
                }));
        register(a, "alice", "sip:alice@192.0.2.10:5060", 0, "tcp");
        assertThat(a.contactsOf(domain, "alice")).isEmpty();
        await().atMost(WAIT).untilAsserted(() -> assertThat(b.contactsOf(domain, "alice")).isEmpty());
        await().atMost(WAIT).until(() -> latest("alice@" + domain) == null && latest("bob@" + domain) != null);
        Registration bob = latest("bob@" + domain);
        assertThat(bob.getDomain()).isEqualTo(domain);
        assertThat(bob.getUser()).isEqualTo("bob");
        assertThat(bob.getRegion()).isEqualTo("eu");
        assertThat(bob.getVersion()).isGreaterThan(Instant.now().minusSeconds(60).toEpochMilli() * 1000);
        assertThat(bob.getBindings()).singleElement().satisfies(binding -> {
            assertThat(binding.getTransport()).isEqualTo("udp");
            assertThat(binding.getInstanceId()).isEqualTo("routing-eu-a");
            assertThat(binding.getSourceAddress()).isEqualTo("127.0.0.1");
        });
        // A binding that expired while no instance ran is dropped at start.
        TestKafka.send(Topics.registrations("eu").name(), "carol@" + domain, Registration.newBuilder()
                .setEventId(UUID.randomUUID().toString()).setVersion(1).setOccurredAt(Instant.now()).setRegion("eu")
                .setDomain(domain).setUser("carol").setBindings(List.of(Binding.newBuilder()
                        .setContact("sip:carol@192.0.2.12").setExpiresAt(Instant.now().minusSeconds(1)).setQ(null)
                        .setSourceAddress("192.0.2.12").setSourcePort(5060).setTransport("udp")
                        .setInstanceId("routing-eu-gone").setCallId("c").setCseq(1).build())).build());

        Registrar restarted = started("routing-eu-a");
        assertThat(restarted.contactsOf(domain, "bob")).extracting(Registrations.Contact::uri)
                .containsExactly("sip:bob@192.0.2.11:5060");
        assertThat(restarted.contactsOf(domain, "alice")).isEmpty();
        assertThat(restarted.bindingsOf(domain, "carol")).isEmpty();
        assertThat(restarted.size()).isEqualTo(a.size());
        assertThat(lost).hasValue(0);
    }

    /** A registrar and its topic reader, returned once it has read what the topic held. */
    private Registrar started(String instanceId) {
        Registrar registrar = new Registrar(new RegionalHost("eu", "example.com"), tables,
                new DigestAuthenticator("k".getBytes(), Clock.systemUTC(), Duration.ofMinutes(5), List.of("MD5")),
                () -> true, new Registrar.Settings(Duration.ofSeconds(1), Duration.ofSeconds(3600),
                Duration.ofSeconds(600), 10, 1000, 10_000, Duration.ofSeconds(120)), instanceId, Clock.systemUTC(),
                new RegistrationMetrics(new SimpleMeterRegistry()));
        KafkaRegistrations kafka = new KafkaRegistrations(Topics.registrations("eu"), "eu",
                TestKafka.bootstrapServers(), new RoutingProperties.SchemaRegistry(TestKafka.registryUrl(), true),
                "registrations-test-" + instanceId, registrar,
                lost::incrementAndGet);
        open.add(kafka);
        kafka.start();
        await().atMost(WAIT).until(kafka::caughtUp);
        return registrar;
    }

    private void register(Registrar registrar, String user, String contact, int expires, String transport) {
        Registrar.Outcome outcome = registrar.update(new Registrar.Authorized(domain, user), new Registrar.Register(
                "sip:" + domain + ".sip-eu.example.com", domain + ".sip-eu.example.com", user,
                domain + ".sip-eu.example.com", null, "127.0.0.1", 40000, transport, "call-" + UUID.randomUUID(), 1,
                false, List.of(new Registrar.RequestedContact(contact, expires, null)), null));
        assertThat(outcome).isInstanceOf(Registrar.Registered.class);
    }

    /** The latest value of {@code aor} on the topic; null for a tombstone or none. */
    private static Registration latest(String aor) {
        List<ConsumerRecord<String, Registration>> records = TestKafka.records(Topics.registrations("eu").name(), aor,
                TestKafka.avro(Registration.class));
        return records.isEmpty() ? null : records.get(records.size() - 1).value();
    }
}
