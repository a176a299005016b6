package io.psip.routing.table;

import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import io.psip.events.DigestUser;
import io.psip.events.DomainChanged;
import io.psip.events.NumberChanged;
import io.psip.schemas.crypto.DigestUserSecrets;
import io.psip.schemas.crypto.DigestUserSecrets.Ha1s;
import io.psip.schemas.crypto.PlatformKey;
import io.psip.testsupport.TestSecrets;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class TableUpdatesTest {

    private final RoutingTables tables = new RoutingTables();
    private final TableUpdates updates = new TableUpdates(tables, TestSecrets.key());

    @Test
    void replayingTheSameLogGivesTheSameTables() {
        List<DomainChanged> log = List.of(domain("Acme", 1, ChangeType.CREATED, "10.0.0.0/8"),
                domain("acme", 2, ChangeType.UPDATED, "192.0.2.0/24"),
                domain("gone", 1, ChangeType.CREATED, "10.0.0.0/8"),
                domain("gone", 2, ChangeType.DELETED, "10.0.0.0/8"));
        log.forEach(e -> updates.onDomain(e.getName(), e));
        Domain first = tables.domain("ACME").orElseThrow();

        log.forEach(e -> updates.onDomain(e.getName(), e));

        assertThat(tables.domain("acme")).contains(first);
        assertThat(first.version()).isEqualTo(2);
        assertThat(first.allows("192.0.2.7")).isTrue();
        assertThat(first.allows("10.1.1.1")).isFalse();
        assertThat(tables.domain("gone")).isEmpty();
    }

    @Test
    void unreadableAclEntryIsSkippedWithoutWideningTheAcl() {
        updates.onDomain("acme", domain("acme", 1, ChangeType.CREATED, "not-an-ip", "127.0.0.1/32"));
        Domain acme = tables.domain("acme").orElseThrow();
        assertThat(acme.acl()).hasSize(1);
        assertThat(acme.allows("127.0.0.1")).isTrue();
        assertThat(acme.allows("127.0.0.2")).isFalse();
    }

    @Test
    void tlsAndSrtpSettingsReachTheTable() {
        DomainChanged event = domain("acme", 1, ChangeType.CREATED, "127.0.0.1");
        event.setTls("always");
        event.setSrtp("never");
        updates.onDomain("acme", event);
        Domain acme = tables.domain("acme").orElseThrow();
        assertThat(acme.tls()).isEqualTo("always");
        assertThat(acme.srtp()).isEqualTo("never");
    }

    @Test
    void digestUsersCarryTheirHa1ValuesOpenedWithThePlatformKey() {
        updates.onDomain("acme", withAlice(1, DigestUserSecrets.seal(TestSecrets.key(), "acme", "alice", HA1S)));
        Domain acme = tables.domain("acme").orElseThrow();
        assertThat(acme.digestAuth()).isTrue();
        assertThat(acme.digestUser("alice")).hasValueSatisfying(u -> {
            assertThat(u.ha1Md5()).isEqualTo("md5hex");
            assertThat(u.ha1Sha256()).isEqualTo("sha256hex");
        });
    }

    @Test
    void withoutTheKeyUnderAnotherKeyOrUnsealedAUserIsUnusableAndNothingFails() {
        DigestUser sealed = DigestUserSecrets.seal(TestSecrets.key(), "acme", "alice", HA1S);
        new TableUpdates(tables, null).onDomain("acme", withAlice(1, sealed));
        assertThat(tables.domain("acme").orElseThrow().digestUser("alice")).isEmpty();

        new TableUpdates(tables, PlatformKey.generate()).onDomain("acme", withAlice(2, sealed));
        assertThat(tables.domain("acme").orElseThrow().digestUser("alice")).isEmpty();

        // a record from before sealing (schema v1: its clear HA1s are not read), and bob's ciphertext under alice
        updates.onDomain("acme", withAlice(3, new DigestUser("alice", null, null)));
        assertThat(tables.domain("acme").orElseThrow().digestUser("alice")).isEmpty();
        DigestUser bobs = DigestUserSecrets.seal(TestSecrets.key(), "acme", "bob", HA1S);
        updates.onDomain("acme", withAlice(4, new DigestUser("alice", bobs.getSealedHa1Md5(), bobs.getSealedHa1Sha256())));
        Domain acme = tables.domain("acme").orElseThrow();
        assertThat(acme.version()).isEqualTo(4);
        assertThat(acme.digestUser("alice")).isEmpty();
    }

    private static final Ha1s HA1S = new Ha1s("md5hex", "sha256hex");

    private static DomainChanged withAlice(long version, DigestUser alice) {
        DomainChanged event = domain("acme", version, ChangeType.CREATED, "127.0.0.1");
        event.setDigestAuth(true);
        event.setDigestUsers(List.of(alice));
        return event;
    }

    @Test
    void tombstonesRemoveApplicationsAndNumbers() {
        updates.onApplication("app-1", ApplicationChanged.newBuilder().setEventId(UUID.randomUUID().toString())
                .setVersion(1).setOccurredAt(Instant.now()).setChangeType(ChangeType.CREATED)
                .setApplicationId("app-1").setAccountId("acct").setName("app").build());
        updates.onNumber("14155550100", NumberChanged.newBuilder().setEventId(UUID.randomUUID().toString())
                .setVersion(1).setOccurredAt(Instant.now()).setChangeType(ChangeType.CREATED)
                .setNumber("14155550100").setAccountId("acct").setApplicationId("app-1").build());
        assertThat(tables.application("app-1")).isPresent();
        assertThat(tables.numbers().get("14155550100")).isPresent();

        updates.onApplication("app-1", null);
        updates.onNumber("14155550100", null);

        assertThat(tables.application("app-1")).isEmpty();
        assertThat(tables.numbers().get("14155550100")).isEmpty();
    }

    static DomainChanged domain(String name, long version, ChangeType type, String... acl) {
        return DomainChanged.newBuilder().setEventId(UUID.randomUUID().toString()).setVersion(version)
                .setOccurredAt(Instant.now()).setChangeType(type).setName(name).setAccountId("acct")
                .setApplicationId("app-1").setAcl(List.of(acl)).setDigestAuth(false).setDigestUsers(List.of())
                .build();
    }
}
