package io.psip.routing.call;

import io.psip.routing.RawSip;
import io.psip.routing.table.Account;
import io.psip.routing.table.Application;
import io.psip.routing.table.NumberRoute;
import io.psip.schemas.crypto.DigestUserSecrets.Ha1s;
import io.psip.schemas.net.CallerPattern;
import io.psip.schemas.net.Cidr;
import io.psip.routing.table.Domain;
import io.psip.routing.table.RoutingTables;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class AdmissionPolicyTest {

    /** The From user of every INVITE here unless a test says otherwise. */
    private static final String CALLER = "442079460000";

    private final RoutingTables tables = new RoutingTables();
    private final AtomicBoolean loaded = new AtomicBoolean(true);
    private final AdmissionPolicy policy = new AdmissionPolicy(new RegionalHost("us", "example.com"), tables,
            new DigestAuthenticator("k".getBytes(), Clock.systemUTC(), Duration.ofMinutes(5), List.of("MD5")), loaded::get);

    AdmissionPolicyTest() {
        tables.applications().upsert("app-1", 1, new Application("app-1", 1, "acct", "app"));
        put(new Domain("acme", 1, "acct", "app-1", List.of(Cidr.parse("127.0.0.1/32")), false, Map.of(), null, null, null));
    }

    @Test
    void callFromTheAclToALinkedDomainIsAccepted() {
        Admission admission = policy.admit(invite("acme.sip-us.example.com", 70, "127.0.0.1", null));
        assertThat(admission).isInstanceOfSatisfying(Admission.Accepted.class, a -> {
            assertThat(a.domain()).hasValueSatisfying(d -> assertThat(d.name()).isEqualTo("acme"));
            assertThat(a.accountId()).isEqualTo("acct");
            assertThat(a.application().id()).isEqualTo("app-1");
            assertThat(a.to()).isEqualTo("123");
            assertThat(a.fromUser()).isNull();
        });
    }

    @Test
    void checksRunInTheDocumentedOrder() {
        // Max-Forwards 0 wins over everything else, even a host that is not ours.
        assertThat(code(invite("acme.sip.example.com", 0, "10.9.9.9", null))).isEqualTo(483);
        // A foreign host is 404 before the source address is even looked at.
        assertThat(code(invite("acme.sip.example.com", 70, "10.9.9.9", null))).isEqualTo(404);
        assertThat(code(invite("acme.sip-eu.example.com", 70, "127.0.0.1", null))).isEqualTo(404);
        assertThat(code(invite("nobody.sip-us.example.com", 70, "10.9.9.9", null))).isEqualTo(404);
        assertThat(code(invite("acme.sip-us.example.com", 70, "10.9.9.9", null))).isEqualTo(403);
    }

    @Test
    void digestDomainChallengesAfterTheAclCheck() {
        put(new Domain("secure", 1, "acct", "app-1", List.of(Cidr.parse("127.0.0.0/8")), true,
                Map.of("alice", new Domain.DigestCredentials("alice", "x", "y")), null, null, null));
        Admission outsideAcl = policy.admit(invite("secure.sip-us.example.com", 70, "10.0.0.1", null));
        assertThat(outsideAcl).isEqualTo(new Admission.Rejected(403, "Forbidden"));
        Admission challenge = policy.admit(invite("secure.sip-us.example.com", 70, "127.0.0.1", null));
        assertThat(challenge).isInstanceOfSatisfying(Admission.Rejected.class, r -> {
            assertThat(r.sipCode()).isEqualTo(401);
            assertThat(r.challenges()).allSatisfy(c -> assertThat(c).contains("realm=\"secure\""));
        });
        assertThat(code(invite("secure.sip-us.example.com", 70, "127.0.0.1", "Digest username=\"alice\"")))
                .isEqualTo(403);
        // A nonce this edge never issued (a wrong digest for it, too): challenged afresh, not refused.
        Admission forged = policy.admit(invite("secure.sip-us.example.com", 70, "127.0.0.1",
                "Digest username=\"alice\", realm=\"secure\", nonce=\"AAAA.AAAA\","
                        + " uri=\"sip:123@secure.sip-us.example.com\", response=\"00\", cnonce=\"c\", qop=auth,"
                        + " nc=00000001"));
        assertThat(forged).isInstanceOfSatisfying(Admission.Rejected.class, r -> {
            assertThat(r.sipCode()).isEqualTo(401);
            assertThat(r.challenges()).isNotEmpty().allSatisfy(c -> assertThat(c).doesNotContain("stale"));
        });
    }

    @Test
    void digestDomainCallNamesTheUserItAuthenticatedAs() {
        Ha1s alice = Ha1s.of("alice", "secure", "s3cret");
        put(new Domain("secure", 1, "acct", "app-1", List.of(Cidr.parse("127.0.0.0/8")), true,
                Map.of("alice", new Domain.DigestCredentials("alice", alice.md5(), alice.sha256())), null, null, null));
        Admission admission = policy.admit(authorized("123", "secure.sip-us.example.com", "alice", "secure",
                "s3cret"));
        assertThat(admission).isInstanceOfSatisfying(Admission.Accepted.class, a -> {
            assertThat(a.fromUser()).isEqualTo("alice");
            assertThat(a.domain()).isPresent();
        });
    }

    @Test
    void aDomainWithAllowedCallersTakesOnlyThoseCallersRightAfterTheAcl() {
        put(new Domain("callers", 1, "acct", "app-1", List.of(Cidr.parse("127.0.0.1")), false, Map.of(), null,
                "always", null, List.of(CallerPattern.parse("+4420*"), CallerPattern.parse("15551234567")), true));
        String host = "callers.sip-us.example.com";
        // Outside the ACL is still plain 403 Forbidden, whoever calls.
        assertThat(policy.admit(from(host, "10.0.0.1", "15551234567"))).isEqualTo(new Admission.Rejected(403, "Forbidden"));
        // In the ACL, a caller outside the list is refused before the domain's TLS setting is looked at...
        Admission.Rejected refused = new Admission.Rejected(403, "Caller Not Allowed");
        assertThat(policy.admit(from(host, "127.0.0.1", "15551234568"))).isEqualTo(refused);
        assertThat(policy.admit(from(host, "127.0.0.1", "4421000000"))).isEqualTo(refused);
        assertThat(policy.admit(from(host, "127.0.0.1", "alice"))).as("not a number").isEqualTo(refused);
        assertThat(policy.admit(from(host, "127.0.0.1", "+44 2079460000"))).isEqualTo(refused);
        assertThat(policy.admit(from(host, "127.0.0.1", null))).as("no From user").isEqualTo(refused);
        // ...and one in it, with or without +, gets on to that check.
        for (String caller : List.of("15551234567", "+15551234567", "442079460000", "+4420123456")) {
            assertThat(policy.admit(from(host, "127.0.0.1", caller))).as(caller)
                    .isEqualTo(new Admission.Rejected(403, "TLS Required"));
        }
    }

    @Test
    void aDomainWithoutAllowedCallersTakesAnyCaller() {
        for (String caller : Arrays.asList("15551234567", "alice", "anonymous", null)) {
            assertThat(policy.admit(from("acme.sip-us.example.com", "127.0.0.1", caller))).as(caller)
                    .isInstanceOf(Admission.Accepted.class);
        }
    }

    @Test
    void aRestrictedDomainWithNoReadablePatternTakesNobody() {
        put(new Domain("nobody", 1, "acct", "app-1", List.of(Cidr.parse("127.0.0.1")), false, Map.of(), null, null,
                null, List.of(), true));
        assertThat(policy.admit(from("nobody.sip-us.example.com", "127.0.0.1", "15551234567")))
                .isEqualTo(new Admission.Rejected(403, "Caller Not Allowed"));
    }

    @Test
    void domainRequiringTlsRefusesOtherTransportsAfterTheAcl() {
        put(new Domain("tlsonly", 1, "acct", "app-1", List.of(Cidr.parse("127.0.0.1")), false, Map.of(), null,
                "always", null));
        InboundInvite plain = invite("tlsonly.sip-us.example.com", 70, "127.0.0.1", null);
        assertThat(policy.admit(plain)).isEqualTo(new Admission.Rejected(403, "TLS Required"));
        InboundInvite secure = new InboundInvite(plain.requestUri(), "123", plain.requestUriHost(), 70, "127.0.0.1",
                null, true, () -> MediaOffer.NONE, CALLER);
        assertThat(policy.admit(secure)).isInstanceOf(Admission.Accepted.class);
        assertThat(policy.admit(new InboundInvite(plain.requestUri(), "123", plain.requestUriHost(), 70,
                "10.0.0.1", null, true, () -> MediaOffer.NONE, CALLER))).isEqualTo(new Admission.Rejected(403, "Forbidden"));
    }

    @Test
    void srtpSettingIsCheckedAfterTlsAndBeforeDigest() {
        MediaOffer srtp = new MediaOffer(1, 0);
        MediaOffer plain = new MediaOffer(0, 1);
        put(new Domain("srtpalways", 1, "acct", "app-1", List.of(Cidr.parse("127.0.0.1")), true, Map.of(), null,
                "always", "always"));
        put(new Domain("srtpnever", 1, "acct", "app-1", List.of(Cidr.parse("127.0.0.1")), false, Map.of(), null,
                null, "never"));
        put(new Domain("srtpoptional", 1, "acct", "app-1", List.of(Cidr.parse("127.0.0.1")), false, Map.of(), null,
                null, "optional"));
        // TLS first, then SRTP, then digest (a 488 goes out before any challenge).
        assertThat(policy.admit(invite("srtpalways.sip-us.example.com", false, plain)))
                .isEqualTo(new Admission.Rejected(403, "TLS Required"));
        assertThat(policy.admit(invite("srtpalways.sip-us.example.com", true, plain)))
                .isEqualTo(new Admission.Rejected(488, "SRTP Required"));
        assertThat(policy.admit(invite("srtpalways.sip-us.example.com", true, MediaOffer.NONE)))
                .isEqualTo(new Admission.Rejected(488, "SRTP Required"));
        assertThat(policy.admit(invite("srtpalways.sip-us.example.com", true, new MediaOffer(1, 1))))
                .isEqualTo(new Admission.Rejected(488, "SRTP Required"));
        assertThat(code(invite("srtpalways.sip-us.example.com", true, srtp))).isEqualTo(401);

        assertThat(policy.admit(invite("srtpnever.sip-us.example.com", false, srtp)))
                .isEqualTo(new Admission.Rejected(488, "SRTP Not Allowed"));
        assertThat(policy.admit(invite("srtpnever.sip-us.example.com", false, new MediaOffer(1, 1))))
                .isEqualTo(new Admission.Rejected(488, "SRTP Not Allowed"));
        assertThat(policy.admit(invite("srtpnever.sip-us.example.com", false, plain))).isInstanceOf(Admission.Accepted.class);
        assertThat(policy.admit(invite("srtpnever.sip-us.example.com", false, MediaOffer.NONE)))
                .isInstanceOf(Admission.Accepted.class);

        assertThat(policy.admit(invite("srtpoptional.sip-us.example.com", false, srtp))).isInstanceOf(Admission.Accepted.class);
        assertThat(policy.admit(invite("srtpoptional.sip-us.example.com", false, plain))).isInstanceOf(Admission.Accepted.class);
        assertThat(policy.admit(invite("acme.sip-us.example.com", false, srtp))).isInstanceOf(Admission.Accepted.class);
    }

    @Test
    void domainWithoutApplicationIs404AndWithAMissingApplication480() {
        put(new Domain("lonely", 1, "acct", null, List.of(Cidr.parse("127.0.0.1")), false, Map.of(), null, null, null));
        put(new Domain("early", 1, "acct", "app-not-yet", List.of(Cidr.parse("127.0.0.1")), false, Map.of(), null, null, null));
        assertThat(code(invite("lonely.sip-us.example.com", 70, "127.0.0.1", null))).isEqualTo(404);
        assertThat(code(invite("early.sip-us.example.com", 70, "127.0.0.1", null))).isEqualTo(480);
    }

    @Test
    void whileTablesLoadOurCallsGet503NotAWrong404() {
        loaded.set(false);
        assertThat(code(invite("acme.sip-us.example.com", 70, "127.0.0.1", null))).isEqualTo(503);
        assertThat(code(invite("acme.sip.example.com", 70, "127.0.0.1", null))).isEqualTo(404);
    }

    // ---- SIP Connect ----

    private static final String NUMBER = "14155550100";
    private static final String REALM = "sip.example.com";

    private void sipConnectAccounts() {
        account("acct", "key-acct", true, Ha1s.of("key-acct", REALM, "secret"));
        account("other", "key-other", true, Ha1s.of("key-other", REALM, "other-secret"));
        account("paused", "key-paused", false, Ha1s.of("key-paused", REALM, "paused-secret"));
        account("sealed-elsewhere", "key-sealed-elsewhere", true, null);
        number(NUMBER, "acct", "app-1");
        number("14155550199", "other", "app-1");
        number("14155550111", "paused", "app-1");
        number("14155550122", "acct", null);
        number("14155550133", "acct", "app-not-yet");
    }

    @Test
    void sipConnectToAnOwnNumberIsAcceptedAsACallWithoutDomain() {
        sipConnectAccounts();
        for (String user : List.of(NUMBER, "+" + NUMBER)) {
            for (String host : List.of("sip.example.com", "SIP-US.example.com.")) {
                Admission admission = policy.admit(authorized(user, host, "key-acct", REALM, "secret"));
                assertThat(admission).as(user + "@" + host).isInstanceOfSatisfying(Admission.Accepted.class, a -> {
                    assertThat(a.domain()).isEmpty();
                    assertThat(a.accountId()).isEqualTo("acct");
                    assertThat(a.application().id()).isEqualTo("app-1");
                    assertThat(a.to()).isEqualTo(NUMBER);
                    assertThat(a.fromUser()).isNull();
                });
            }
        }
    }

    @Test
    void sipConnectChallengesInTheOneRealmBeforeLookingAtTheNumber() {
        sipConnectAccounts();
        // An unauthenticated caller gets the same answer whatever it dials: a scanner learns no number.
        for (String user : List.of(NUMBER, "14155550199", "19995550000", "not-a-number", "")) {
            Admission admission = policy.admit(invite("sip:" + user + "@sip.example.com", user, "sip.example.com",
                    null));
            assertThat(admission).as(user).isInstanceOfSatisfying(Admission.Rejected.class, r -> {
                assertThat(r.sipCode()).isEqualTo(401);
                assertThat(r.challenges()).isNotEmpty()
                        .allSatisfy(c -> assertThat(c).contains("realm=\"sip.example.com\""));
            });
        }
        assertThat(policy.admit(invite("sip:" + NUMBER + "@sip-us.example.com", NUMBER, "sip-us.example.com", null)))
                .isInstanceOfSatisfying(Admission.Rejected.class, r -> assertThat(r.challenges())
                        .allSatisfy(c -> assertThat(c).contains("realm=\"sip.example.com\"")));
    }

    @Test
    void sipConnectRefusalsAfterAuthenticatingRevealOnlyWhatTheAccountMayKnow() {
        sipConnectAccounts();
        assertThat(code(authorized(NUMBER, "sip.example.com", "key-acct", REALM, "guess"))).isEqualTo(403);
        assertThat(code(authorized(NUMBER, "sip.example.com", "no-such-key", REALM, "secret"))).isEqualTo(403);
        assertThat(code(authorized(NUMBER, "sip.example.com", "key-acct", "acme", "secret"))).isEqualTo(403);
        assertThat(code(authorized("14155550199", "sip.example.com", "key-acct", REALM, "secret"))).isEqualTo(403);
        assertThat(code(authorized("19995550000", "sip.example.com", "key-acct", REALM, "secret"))).isEqualTo(404);
        assertThat(code(authorized("1-415-555-0100", "sip.example.com", "key-acct", REALM, "secret")))
                .isEqualTo(404);
        assertThat(code(authorized("alice", "sip.example.com", "key-acct", REALM, "secret"))).isEqualTo(404);
        assertThat(code(authorized("14155550122", "sip.example.com", "key-acct", REALM, "secret"))).isEqualTo(404);
        assertThat(code(authorized("14155550133", "sip.example.com", "key-acct", REALM, "secret"))).isEqualTo(480);
    }

    @Test
    void suspendedDeletedAndKeylessAccountsAreRefused() {
        sipConnectAccounts();
        assertThat(code(authorized("14155550111", "sip.example.com", "key-paused", REALM, "paused-secret")))
                .isEqualTo(403);
        assertThat(code(authorized(NUMBER, "sip.example.com", "key-sealed-elsewhere", REALM, "anything")))
                .isEqualTo(403);
        tables.deleteAccount("acct", 2);
        assertThat(code(authorized(NUMBER, "sip.example.com", "key-acct", REALM, "secret"))).isEqualTo(403);
    }

    @Test
    void aReplayedSipConnectAuthorizationIsRefused() {
        sipConnectAccounts();
        InboundInvite invite = authorized(NUMBER, "sip.example.com", "key-acct", REALM, "secret");
        assertThat(policy.admit(invite)).isInstanceOf(Admission.Accepted.class);
        assertThat(policy.admit(invite)).isEqualTo(new Admission.Rejected(403, "Forbidden"));
    }

    @Test
    void otherRegionsSipConnectHostAndNonRegionalDomainHostsAreNotOurs() {
        sipConnectAccounts();
        assertThat(code(invite("sip:" + NUMBER + "@sip-eu.example.com", NUMBER, "sip-eu.example.com", null)))
                .isEqualTo(404);
        assertThat(code(invite("sip:" + NUMBER + "@acme.sip.example.com", NUMBER, "acme.sip.example.com", null)))
                .isEqualTo(404);
        loaded.set(false);
        assertThat(code(invite("sip:" + NUMBER + "@sip.example.com", NUMBER, "sip.example.com", null)))
                .isEqualTo(503);
    }

    @Test
    void e164NumbersAreReadWithOrWithoutPlusAndNothingElse() {
        assertThat(AdmissionPolicy.number("+14155550100")).contains("14155550100");
        assertThat(AdmissionPolicy.number("14155550100")).contains("14155550100");
        assertThat(AdmissionPolicy.number("+1 415 555 0100")).isEmpty();
        assertThat(AdmissionPolicy.number("++14155550100")).isEmpty();
        assertThat(AdmissionPolicy.number("04155550100")).isEmpty();
        assertThat(AdmissionPolicy.number("1415555010012345")).isEmpty();
        assertThat(AdmissionPolicy.number("4155550100;phone-context=+1")).isEmpty();
        assertThat(AdmissionPolicy.number(null)).isEmpty();
    }

    private void account(String id, String apiKey, boolean active, Ha1s ha1s) {
        tables.upsertAccount(new Account(id, 1, List.of(), false, apiKey, active,
                ha1s == null ? null : new Domain.DigestCredentials(apiKey, ha1s.md5(), ha1s.sha256())));
    }

    private void number(String number, String accountId, String applicationId) {
        tables.numbers().upsert(number, 1, new NumberRoute(number, 1, accountId, applicationId));
    }

    /** An INVITE to {@code user@host} answering this edge's challenge with {@code user}'s credentials. */
    private InboundInvite authorized(String user, String host, String username, String realm, String password) {
        String uri = "sip:" + user + "@" + host;
        Admission.Rejected challenge = (Admission.Rejected) policy.admit(invite(uri, user, host, null));
        return invite(uri, user, host, RawSip.digestAuthorization(username, realm, password,
                RawSip.nonceOf(challenge.challenges().get(0)), "00000001", uri));
    }

    private void put(Domain domain) {
        tables.domains().upsert(domain.name(), domain.version(), domain);
    }

    private int code(InboundInvite invite) {
        return ((Admission.Rejected) policy.admit(invite)).sipCode();
    }

    private static InboundInvite invite(String host, Integer maxForwards, String source, String authorization) {
        return new InboundInvite("sip:123@" + host, "123", host, maxForwards, source, authorization, false,
                () -> MediaOffer.NONE, CALLER);
    }

    private static InboundInvite invite(String uri, String user, String host, String authorization) {
        return new InboundInvite(uri, user, host, 70, "127.0.0.1", authorization, false, () -> MediaOffer.NONE,
                CALLER);
    }

    private static InboundInvite invite(String host, boolean secure, MediaOffer media) {
        return new InboundInvite("sip:123@" + host, "123", host, 70, "127.0.0.1", null, secure, () -> media, CALLER);
    }

    private static InboundInvite from(String host, String source, String callerUser) {
        return new InboundInvite("sip:123@" + host, "123", host, 70, source, null, false, () -> MediaOffer.NONE,
                callerUser);
    }
}
