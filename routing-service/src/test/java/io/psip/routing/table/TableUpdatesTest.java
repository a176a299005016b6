package io.psip.routing.table;

import io.psip.events.AccountChanged;
import io.psip.events.ApplicationChanged;
import io.psip.events.ChangeType;
import io.psip.events.DigestUser;
import io.psip.events.DomainChanged;
import io.psip.events.NumberChanged;
import io.psip.schemas.crypto.AccountSecrets;
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
    void allowedCallersReachTheTableAndAnUnreadableEntryKeepsTheListRestricting() {
        DomainChanged event = domain("acme", 1, ChangeType.CREATED, "127.0.0.1");
        event.setAllowedCallers(List.of("4420*", "15551234567"));
        updates.onDomain("acme", event);
        Domain acme = tables.domain("acme").orElseThrow();
        assertThat(acme.allowedCallers()).map(Object::toString).containsExactly("4420*", "15551234567");
        assertThat(acme.allowsCaller("442079460000")).isTrue();
        assertThat(acme.allowsCaller("15551234568")).isFalse();

        DomainChanged unreadable = domain("acme", 2, ChangeType.UPDATED, "127.0.0.1");
        unreadable.setAllowedCallers(List.of("44#20"));
        updates.onDomain("acme", unreadable);
        acme = tables.domain("acme").orElseThrow();
        assertThat(acme.allowedCallers()).isEmpty();
        assertThat(acme.callersRestricted()).isTrue();
        assertThat(acme.allowsCaller("442079460000")).as("never widened to any caller").isFalse();

        // An empty list, as every record written before allowed_callers existed reads: any caller again.
        updates.onDomain("acme", domain("acme", 3, ChangeType.UPDATED, "127.0.0.1"));
        acme = tables.domain("acme").orElseThrow();
        assertThat(acme.callersRestricted()).isFalse();
        assertThat(acme.allowsCaller(null)).isTrue();
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

    // ---- accounts and their API key index ----

    private static final String REALM = AccountSecrets.realm("example.com");

    @Test
    void anAccountIsFoundByItsApiKeyWithItsSipConnectHa1sOpened() {
        updates.onAccount("acct", account("acct", 1, ChangeType.CREATED, "key-1", null, "secret-1"));
        Account acct = tables.accountByApiKey("key-1").orElseThrow();
        assertThat(acct.id()).isEqualTo("acct");
        assertThat(acct.active()).isTrue();
        assertThat(acct.sipConnectCredentials()).hasValueSatisfying(c -> {
            assertThat(c.username()).isEqualTo("key-1");
            assertThat(c.ha1Md5()).isEqualTo(Ha1s.of("key-1", REALM, "secret-1").md5());
            assertThat(c.ha1Sha256()).isEqualTo(Ha1s.of("key-1", REALM, "secret-1").sha256());
        });
        assertThat(acct.toString()).doesNotContain(acct.sipConnect().ha1Md5(), acct.sipConnect().ha1Sha256());
        assertThat(tables.accountByApiKey("key-2")).isEmpty();
        assertThat(tables.accountByApiKey(null)).isEmpty();
    }

    @Test
    void aSuspendedAccountOrOneOfAnUnknownStatusIsNotActive() {
        updates.onAccount("acct", account("acct", 1, ChangeType.CREATED, "key-1", "active", "secret-1"));
        assertThat(tables.account("acct").orElseThrow().active()).isTrue();
        updates.onAccount("acct", account("acct", 2, ChangeType.UPDATED, "key-1", "suspended", "secret-1"));
        assertThat(tables.accountByApiKey("key-1").orElseThrow().active()).isFalse();
        updates.onAccount("acct", account("acct", 3, ChangeType.UPDATED, "key-1", "closed", "secret-1"));
        assertThat(tables.accountByApiKey("key-1").orElseThrow().active()).isFalse();
        updates.onAccount("acct", account("acct", 4, ChangeType.UPDATED, "key-1", null, "secret-1"));
        assertThat(tables.accountByApiKey("key-1").orElseThrow().active()).isTrue();
    }

    @Test
    void theIndexFollowsNewerVersionsOnlyThroughKeyChangesDeletionsAndTombstones() {
        List<AccountChanged> log = List.of(account("acct", 1, ChangeType.CREATED, "key-1", null, "secret-1"),
                account("acct", 2, ChangeType.UPDATED, "key-2", null, "secret-2"),
                account("acct", 1, ChangeType.CREATED, "key-1", null, "secret-1"),
                account("gone", 1, ChangeType.CREATED, "key-gone", null, "secret-gone"),
                account("gone", 2, ChangeType.DELETED, "key-gone", null, "secret-gone"),
                account("gone", 1, ChangeType.SNAPSHOT, "key-gone", null, "secret-gone"));
        for (int replay = 0; replay < 2; replay++) {
            log.forEach(e -> updates.onAccount(e.getAccountId(), e));
            assertThat(tables.accountByApiKey("key-1")).as("an older version never brings a key back").isEmpty();
            assertThat(tables.accountByApiKey("key-2")).hasValueSatisfying(a -> assertThat(a.version()).isEqualTo(2));
            assertThat(tables.accountByApiKey("key-gone")).as("a deleted account keeps its key no more").isEmpty();
            assertThat(tables.account("gone")).isEmpty();
        }
        // A newer version of the same key stays found; the secret is rotated with it.
        updates.onAccount("acct", account("acct", 3, ChangeType.UPDATED, "key-2", null, "secret-3"));
        assertThat(tables.accountByApiKey("key-2").orElseThrow().sipConnect().ha1Md5())
                .isEqualTo(Ha1s.of("key-2", REALM, "secret-3").md5());

        updates.onAccount("acct", null);
        assertThat(tables.accountByApiKey("key-2")).isEmpty();
        assertThat(tables.account("acct")).isEmpty();
        assertThat(tables.accountCount()).isZero();
    }

    @Test
    void anApiKeyTheAccountTableNoLongerHoldsNamesNoAccount() {
        updates.onAccount("a", account("a", 1, ChangeType.CREATED, "shared", null, "secret-a"));
        // Keys are unique, but should one move, only the account that holds it now is found by it...
        updates.onAccount("b", account("b", 1, ChangeType.CREATED, "shared", null, "secret-b"));
        assertThat(tables.accountByApiKey("shared")).hasValueSatisfying(acct -> assertThat(acct.id()).isEqualTo("b"));
        // ...and the other account's later move to a new key does not take it from b.
        updates.onAccount("a", account("a", 2, ChangeType.UPDATED, "key-a", null, "secret-a"));
        assertThat(tables.accountByApiKey("shared")).hasValueSatisfying(acct -> assertThat(acct.id()).isEqualTo("b"));
        assertThat(tables.accountByApiKey("key-a")).hasValueSatisfying(acct -> assertThat(acct.id()).isEqualTo("a"));
    }

    @Test
    void sipConnectHa1sThatDoNotOpenHereLeaveTheAccountWithoutCredentials() {
        AccountChanged sealed = account("acct", 1, ChangeType.CREATED, "key-1", null, "secret-1");
        new TableUpdates(tables, null).onAccount("acct", sealed);
        assertThat(tables.accountByApiKey("key-1").orElseThrow().sipConnectCredentials()).isEmpty();

        AccountChanged otherKey = account("acct", 2, ChangeType.UPDATED, "key-1", null, "secret-1");
        new TableUpdates(tables, PlatformKey.generate()).onAccount("acct", otherKey);
        assertThat(tables.accountByApiKey("key-1").orElseThrow().sipConnectCredentials()).isEmpty();

        // another account's ciphertext, and a record without HA1s (v1, or no SIP Connect)
        AccountChanged copied = account("acct", 3, ChangeType.UPDATED, "key-1", null, "secret-1");
        AccountChanged others = account("other", 1, ChangeType.CREATED, "key-1", null, "secret-1");
        copied.setSealedHa1Md5(others.getSealedHa1Md5());
        copied.setSealedHa1Sha256(others.getSealedHa1Sha256());
        updates.onAccount("acct", copied);
        assertThat(tables.accountByApiKey("key-1").orElseThrow().sipConnectCredentials()).isEmpty();
        AccountChanged unsealed = account("acct", 4, ChangeType.UPDATED, "key-1", null, "secret-1");
        unsealed.setSealedHa1Md5(null);
        unsealed.setSealedHa1Sha256(null);
        updates.onAccount("acct", unsealed);
        assertThat(tables.accountByApiKey("key-1").orElseThrow().sipConnectCredentials()).isEmpty();
        assertThat(tables.account("acct").orElseThrow().version()).isEqualTo(4);
    }

    /** An account whose SIP Connect HA1s, of {@code apiKey} and {@code secret}, are sealed as provisioning does. */
    private static AccountChanged account(String id, long version, ChangeType type, String apiKey, String status,
                                          String secret) {
        AccountSecrets.Sealed sealed = AccountSecrets.seal(TestSecrets.key(), id, apiKey,
                Ha1s.of(apiKey, REALM, secret));
        return AccountChanged.newBuilder().setEventId(UUID.randomUUID().toString()).setVersion(version)
                .setOccurredAt(Instant.now()).setChangeType(type).setAccountId(id).setApiKey(apiKey)
                .setStatus(status).setSealedHa1Md5(sealed.md5()).setSealedHa1Sha256(sealed.sha256()).build();
    }

    static DomainChanged domain(String name, long version, ChangeType type, String... acl) {
        return DomainChanged.newBuilder().setEventId(UUID.randomUUID().toString()).setVersion(version)
                .setOccurredAt(Instant.now()).setChangeType(type).setName(name).setAccountId("acct")
                .setApplicationId("app-1").setAcl(List.of(acl)).setDigestAuth(false).setDigestUsers(List.of())
                .build();
    }
}
