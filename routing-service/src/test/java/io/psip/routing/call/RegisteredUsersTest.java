package io.psip.routing.call;

import io.psip.routing.table.Domain;
import io.psip.routing.table.RoutingTables;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RegisteredUsersTest {

    private static final Instant LATER = Instant.parse("2030-01-01T00:00:00Z");

    private final RoutingTables tables = new RoutingTables();
    private final Map<String, List<Registrations.Contact>> bindings = Map.of(
            "acme/alice", List.of(contact("udp", "i-2"), contact("tcp", "i-1"), contact("tls", "i-2")),
            "globex/alice", List.of(contact("udp", "i-1")));
    private final RegisteredUsers users = new RegisteredUsers(new RegionalHost("us", "example.com"), tables,
            (domain, user) -> bindings.getOrDefault(domain + "/" + user, List.of()), "i-1");

    RegisteredUsersTest() {
        for (Domain domain : List.of(domain("acme", "acct"), domain("globex", "acct-2"))) {
            tables.domains().upsert(domain.name(), 1, domain);
        }
    }

    @Test
    void aUserOfTheAccountsDomainHasTheContactsThisInstanceCanReach() {
        RegisteredUsers.Lookup found = users.find("acct", "ACME", "alice");

        assertThat(found).isInstanceOfSatisfying(RegisteredUsers.Found.class, user -> {
            assertThat(user.domain()).isEqualTo("acme");
            // udp from anywhere; tcp and tls only over this instance's own connections
            assertThat(user.contacts()).extracting(Registrations.Contact::transport).containsExactly("udp", "tcp");
            assertThat(user.heldElsewhere()).isEqualTo(1);
        });
    }

    @Test
    void aDomainOfAnotherAccountOrNoneAtAllIsTheSameUnknownUser() {
        assertThat(users.find("acct", "globex", "alice")).isInstanceOf(RegisteredUsers.UserNotFound.class);
        assertThat(users.find("acct", "initech", "alice")).isInstanceOf(RegisteredUsers.UserNotFound.class);
        assertThat(users.find("acct", null, "alice")).isInstanceOf(RegisteredUsers.UserNotFound.class);
        assertThat(users.find("acct", "acme", null)).isInstanceOf(RegisteredUsers.UserNotFound.class);
    }

    @Test
    void aRegisteredUserWithoutContactsIsFoundWithNone() {
        assertThat(users.find("acct", "acme", "bob")).isInstanceOfSatisfying(RegisteredUsers.Found.class,
                user -> assertThat(user.contacts()).isEmpty());
    }

    @Test
    void onlyThisRegionsDomainHostsNameUsers() {
        assertThat(users.domainOfHost("acme.sip-us.example.com")).contains("acme");
        assertThat(users.domainOfHost("acme.sip-eu.example.com")).isEmpty();
        assertThat(users.domainOfHost("pbx.example.org")).isEmpty();
        assertThat(RegisteredUsers.NONE.domainOfHost("acme.sip-us.example.com")).isEmpty();
    }

    private static Registrations.Contact contact(String transport, String instance) {
        return new Registrations.Contact("sip:alice@10.0.0.7:5062;transport=" + transport, "198.51.100.7", 40000,
                transport, instance, LATER);
    }

    private static Domain domain(String name, String account) {
        return new Domain(name, 1, account, "app-1", List.of(), false, Map.of(), null, null, null);
    }
}
