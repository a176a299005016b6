package io.psip.routing.sip;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.ConnectSip;
import io.psip.routing.Sipp;
import io.psip.routing.TcpFarEnd;
import io.psip.routing.call.ActiveCalls;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.call.DestinationPolicy;
import io.psip.routing.call.RegionalHost;
import io.psip.routing.call.RegisteredUsers;
import io.psip.routing.call.Registrations;
import io.psip.routing.table.Domain;
import io.psip.routing.table.RoutingTables;
import io.psip.schemas.net.Cidr;
import io.psip.testsupport.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * NCCO connect to a registered user on a real edge, with sipp callers and phones (and a raw TCP phone) on loopback,
 * and fixed contacts standing in for the registrar. Every contact's URI names 10.0.0.7, a private address no packet
 * may go to: calls reach the phones only at the address and port they registered from, as behind NAT.
 */
class SipEdgeRegisteredUserTest {

    private static final String INSTANCE = "registered-test";
    private static final String NATTED_CONTACT = "sip:alice@10.0.0.7:5062";
    /** The TCP phones' own loopback address, which nothing else on this host uses. */
    private static final InetAddress TCP_PHONES = address("127.0.0.3");

    private final int port = FreePorts.sip();
    private final List<CallEvent> events = new CopyOnWriteArrayList<>();
    /** The connect of each called number. */
    private final Map<String, ConnectSip> connects = new ConcurrentHashMap<>();
    /** The registrar's bindings, by domain/user. */
    private final Map<String, List<Registrations.Contact>> bindings = new ConcurrentHashMap<>();
    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private SipEdge edge;

    @AfterEach
    void stop() throws Exception {
        if (edge != null) {
            edge.stop();
        }
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    @Test
    void aUserWithOneUdpContactIsRungAtTheAddressItRegisteredFrom() throws Exception {
        start();
        int phonePort = FreePorts.sip();
        register("acme", "alice", udpContact(phonePort));
        connects.put("601", toUser("alice", "acme"));
        Sipp phone = Sipp.start("uas-behind-nat.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(phonePort),
                "-m", "1");

        Sipp caller = call("601");

        assertThat(phone.exitCode()).as(phone::logs).isZero();
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        assertThat(statuses("601")).containsExactly(CallEventType.OFFERED, CallEventType.RINGING,
                CallEventType.ANSWERED, CallEventType.COMPLETED);
    }

    @Test
    void aUriNamingTheDomainsOwnHostRingsTheUserToo() throws Exception {
        start();
        int phonePort = FreePorts.sip();
        register("acme", "alice", udpContact(phonePort));
        connects.put("602", ConnectSip.newBuilder(toUser("alice", "acme")).setUser(null).setDomain(null)
                .setUri("sip:alice@acme.sip-us.example.com").build());
        Sipp phone = Sipp.start("uas-behind-nat.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(phonePort),
                "-m", "1");

        Sipp caller = call("602");

        assertThat(phone.exitCode()).as(phone::logs).isZero();
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        assertThat(awaitFinal("602").getType()).isEqualTo(CallEventType.COMPLETED);
    }

    @Test
    void withTwoContactsTheFirstToAnswerWinsAndTheOtherIsCancelled() throws Exception {
        start();
        int answering = FreePorts.sip();
        int ringing = FreePorts.sip();
        register("acme", "alice", udpContact(ringing), udpContact(answering));
        connects.put("603", toUser("alice", "acme"));
        Sipp ringingPhone = Sipp.start("uas-ring.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(ringing),
                "-m", "1");
        Sipp answeringPhone = Sipp.start("uas-behind-nat.xml", Map.of(), "-i", "127.0.0.1", "-p",
                Integer.toString(answering), "-m", "1");

        // uac.xml takes exactly one 180 and one 200: the ringing phone's 180 (if first) is the only one relayed.
        Sipp caller = call("603");

        assertThat(answeringPhone.exitCode()).as(answeringPhone::logs).isZero();
        assertThat(ringingPhone.exitCode()).as("the other phone got CANCEL: %s", ringingPhone.logs()).isZero();
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        assertThat(statuses("603")).containsExactly(CallEventType.OFFERED, CallEventType.RINGING,
                CallEventType.ANSWERED, CallEventType.COMPLETED);
    }

    @Test
    void theCallersCancelCancelsEveryFork() throws Exception {
        start();
        int first = FreePorts.sip();
        int second = FreePorts.sip();
        register("acme", "alice", udpContact(first), udpContact(second));
        connects.put("610", toUser("alice", "acme"));
        Sipp firstPhone = Sipp.start("uas-ring.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(first),
                "-m", "1");
        Sipp secondPhone = Sipp.start("uas-ring.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(second),
                "-m", "1");

        Sipp caller = Sipp.start("uac-cancel.xml", Map.of(), "-i", "127.0.0.1", "-p",
                Integer.toString(FreePorts.sip()), "-m", "1", "-s", "610", "-key", "domain",
                "acme.sip-us.example.com", "127.0.0.1:" + port);

        assertThat(caller.exitCode()).as(caller::logs).isZero();
        assertThat(firstPhone.exitCode()).as(firstPhone::logs).isZero();
        assertThat(secondPhone.exitCode()).as(secondPhone::logs).isZero();
        assertThat(awaitFinal("610").getType()).isEqualTo(CallEventType.CANCELLED);
    }

    @Test
    void aUserWithoutContactsFailsTheCallAsNotRegistered() throws Exception {
        start();
        connects.put("604", toUser("alice", "acme"));

        assertThat(call("604", 480).exitCode()).isZero();

        CallEvent failed = awaitFinal("604");
        assertThat(failed.getType()).isEqualTo(CallEventType.FAILED);
        assertThat(failed.getSipCode()).isEqualTo(480);
        assertThat(failed.getReason()).isEqualTo("user_not_registered");
    }

    @Test
    void aUserOfAnotherAccountsDomainIsNeverRung() throws Exception {
        start();
        DatagramSocket otherTenantsPhone = closeLater(new DatagramSocket(new InetSocketAddress("127.0.0.1", 0)));
        register("globex", "alice", udpContact(otherTenantsPhone.getLocalPort()));
        connects.put("605", toUser("alice", "globex"));
        connects.put("606", ConnectSip.newBuilder(toUser("alice", "acme")).setUser(null).setDomain(null)
                .setUri("sip:alice@globex.sip-us.example.com").build());

        assertThat(call("605", 404).exitCode()).isZero();
        assertThat(call("606", 404).exitCode()).isZero();

        for (String number : List.of("605", "606")) {
            CallEvent failed = awaitFinal(number);
            assertThat(failed.getType()).isEqualTo(CallEventType.FAILED);
            assertThat(failed.getReason()).isEqualTo("user_not_found");
        }
        otherTenantsPhone.setSoTimeout(500);
        assertThatThrownBy(() -> otherTenantsPhone.receive(new DatagramPacket(new byte[2048], 2048)))
                .isInstanceOf(SocketTimeoutException.class);
    }

    @Test
    void aTcpPhoneIsCalledOnTheConnectionItRegisteredOn() throws Exception {
        start();
        ServerSocket phoneListener = closeLater(new ServerSocket(0, 10, TCP_PHONES));
        TcpPhone phone = closeLater(TcpPhone.connect(TCP_PHONES, port, phoneListener.getLocalPort(),
                NATTED_CONTACT + ";transport=tcp"));
        phone.options();
        register("acme", "alice", new Registrations.Contact(NATTED_CONTACT + ";transport=tcp", "127.0.0.3",
                phone.localPort(), "tcp", INSTANCE, Instant.now().plusSeconds(600)));
        connects.put("607", toUser("alice", "acme"));

        Sipp caller = call("607");

        String invite = phone.read();
        assertThat(invite).startsWith("INVITE " + NATTED_CONTACT + ";transport=tcp SIP/2.0");
        phone.answer(invite);
        assertThat(phone.read()).startsWith("ACK ");
        String bye = phone.read();
        assertThat(bye).startsWith("BYE ");
        phone.reply(bye, "200 OK", "");
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        assertThat(awaitFinal("607").getType()).isEqualTo(CallEventType.COMPLETED);
        // Everything came on the phone's own connection: the edge opened none to it, nor to its Via's sent-by.
        phoneListener.setSoTimeout(200);
        assertThatThrownBy(phoneListener::accept).isInstanceOf(SocketTimeoutException.class);
        assertThat(edge.connectionsFrom(TCP_PHONES)).isEqualTo(1);
    }

    @Test
    void aTcpPhoneWhoseConnectionIsGoneIsNotReconnectedAndTheCallFails() throws Exception {
        start();
        ServerSocket phoneListener = closeLater(new ServerSocket(0, 10, TCP_PHONES));
        TcpPhone phone = TcpPhone.connect(TCP_PHONES, port, phoneListener.getLocalPort(),
                NATTED_CONTACT + ";transport=tcp");
        phone.options();
        int registeredFrom = phone.localPort();
        phone.reset();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> edge.connectionsFrom(TCP_PHONES) == 0);
        // Whoever holds that port now (behind NAT: another phone, or nobody) must not get the call either.
        ServerSocket sourcePortReused = closeLater(new ServerSocket());
        sourcePortReused.setReuseAddress(true);
        sourcePortReused.bind(new InetSocketAddress(TCP_PHONES, registeredFrom));
        register("acme", "alice", new Registrations.Contact(NATTED_CONTACT + ";transport=tcp", "127.0.0.3",
                registeredFrom, "tcp", INSTANCE, Instant.now().plusSeconds(600)));
        connects.put("608", toUser("alice", "acme"));

        assertThat(call("608", 480).exitCode()).isZero();

        CallEvent failed = awaitFinal("608");
        assertThat(failed.getType()).isEqualTo(CallEventType.FAILED);
        assertThat(failed.getReason()).isEqualTo("connect_failed");
        for (ServerSocket nobodyCalled : List.of(phoneListener, sourcePortReused)) {
            nobodyCalled.setSoTimeout(200);
            assertThatThrownBy(nobodyCalled::accept).isInstanceOf(SocketTimeoutException.class);
        }
    }

    /**
     * The caller's re-INVITE is relayed by the RI's own thread (its ReInviteSender), where no send of ours guards
     * it: the dialog's registered flow still keeps the network layer from opening a connection to the phone, at
     * its source port or at its Via's sent-by.
     */
    @Test
    void aReInviteToATcpPhoneWhoseConnectionDiedOpensNoConnectionAndEndsTheCall() throws Exception {
        start();
        ServerSocket phoneListener = closeLater(new ServerSocket(0, 10, TCP_PHONES));
        TcpPhone phone = TcpPhone.connect(TCP_PHONES, port, phoneListener.getLocalPort(),
                NATTED_CONTACT + ";transport=tcp");
        phone.options();
        int registeredFrom = phone.localPort();
        register("acme", "alice", new Registrations.Contact(NATTED_CONTACT + ";transport=tcp", "127.0.0.3",
                registeredFrom, "tcp", INSTANCE, Instant.now().plusSeconds(600)));
        connects.put("611", toUser("alice", "acme"));
        int callerPort = FreePorts.tcp();
        TcpPhone caller = closeLater(TcpPhone.connect(InetAddress.getLoopbackAddress(), port, callerPort,
                "sip:carol@127.0.0.1:" + callerPort));
        String callId = "reinvite-" + UUID.randomUUID();
        caller.write(callerRequest(caller, "INVITE sip:611@acme.sip-us.example.com", callId,
                "<sip:611@acme.sip-us.example.com>", 1, SDP));
        String invite = phone.read();
        phone.answer(invite);
        String answer = readUntil(caller, "SIP/2.0 200");
        String to = TcpFarEnd.header(answer, "To");
        String target = TcpFarEnd.header(answer, "Contact").replaceAll("^<|>.*$", "");
        caller.write(callerRequest(caller, "ACK " + target, callId, to, 1, ""));
        assertThat(phone.read()).startsWith("ACK ");
        // An UPDATE relayed and answered: the edge is done with the ACK (the RI fails a send whose connection
        // closes under it, ACK and later re-INVITE alike) before the phone's connection dies.
        caller.write(callerRequest(caller, "UPDATE " + target, callId, to, 2, ""));
        String update = phone.read();
        assertThat(update).startsWith("UPDATE ");
        phone.reply(update, "200 OK", "");
        assertThat(TcpFarEnd.header(readUntil(caller, "SIP/2.0 200"), "CSeq")).isEqualTo("2 UPDATE");
        phone.reset();
        await().atMost(Duration.ofSeconds(10)).until(() -> edge.connectionsFrom(TCP_PHONES) == 0);
        ServerSocket sourcePortReused = closeLater(new ServerSocket());
        sourcePortReused.setReuseAddress(true);
        sourcePortReused.bind(new InetSocketAddress(TCP_PHONES, registeredFrom));

        caller.write(callerRequest(caller, "INVITE " + target, callId, to, 3, SDP));

        // The RI's re-INVITE sender swallows the failed send; after Timer B the edge answers the caller 408 and,
        // the phone's leg being gone, ends the call. Whether the RI's own thread got as far as the network layer
        // (refused there as the registered flow) or timed the re-INVITE out itself first, as it did twice on a
        // loaded machine, depends on that thread's timing; what may never happen is a connection attempt, which
        // would count as connect_refused or reach one of the two listeners below.
        assertThat(finalResponse(caller, "3 INVITE")).startsWith("SIP/2.0 408");
        assertThat(dropped("connect_refused")).as("registered_flow refusals: %s", dropped("registered_flow")).isZero();
        CallEvent ended = awaitFinal("611");
        assertThat(ended.getType()).isEqualTo(CallEventType.COMPLETED);
        assertThat(ended.getReason()).isEqualTo("far_end_gone");
        for (ServerSocket nobodyCalled : List.of(phoneListener, sourcePortReused)) {
            nobodyCalled.setSoTimeout(200);
            assertThatThrownBy(nobodyCalled::accept).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void aTcpContactHeldByAnotherInstanceIsNotRung() throws Exception {
        start();
        register("acme", "alice", new Registrations.Contact(NATTED_CONTACT + ";transport=tcp", "127.0.0.1",
                FreePorts.tcp(), "tcp", "another-instance", Instant.now().plusSeconds(600)));
        connects.put("609", toUser("alice", "acme"));

        assertThat(call("609", 480).exitCode()).isZero();

        assertThat(awaitFinal("609").getReason()).isEqualTo("user_not_registered");
    }

    // ---- helpers ----

    private void start() throws Exception {
        RoutingTables tables = EdgeFixtures.tables(
                EdgeFixtures.loopbackDomain("acme", null, null),
                new Domain("globex", 1, "acct-2", "app-1", List.of(Cidr.parse("127.0.0.0/8")), false, Map.of(),
                        null, null, null));
        RegisteredUsers users = new RegisteredUsers(new RegionalHost("us", "example.com"), tables,
                (domain, user) -> bindings.getOrDefault(domain + "/" + user, List.of()), INSTANCE);
        edge = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2), 1 << 20, 2,
                100, Duration.ofSeconds(20), EdgeFixtures.GENEROUS_LIMITS, null, EdgeFixtures.outbound(
                new DestinationPolicy(DestinationPolicy.DEFAULT_DENY.stream().map(Cidr::parse).toList(),
                        List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("127.0.0.3/32")), Set.of(port), Set.of()),
                Duration.ofSeconds(2)),
                EdgeFixtures.SERVICE_DEFAULT_TRANSPORT),
                EdgeFixtures.admission(tables), this::published, new CallMetrics(registry),
                Clock.systemUTC(), new Call.CallOrigin("us", INSTANCE), ActiveCalls.NONE, null, users);
        edge.start();
        await().atMost(Duration.ofSeconds(15)).until(edge::listening);
    }

    private void register(String domain, String user, Registrations.Contact... contacts) {
        bindings.put(domain + "/" + user, List.of(contacts));
    }

    private static Registrations.Contact udpContact(int sourcePort) {
        return new Registrations.Contact(NATTED_CONTACT, "127.0.0.1", sourcePort, "udp", "elsewhere",
                Instant.now().plusSeconds(600));
    }

    static ConnectSip toUser(String user, String domain) {
        return ConnectSip.newBuilder().setUri("sip:" + user + "@" + domain).setUser(user).setDomain(domain)
                .setHeaders(Map.of("Customer", "acme-42")).setFrom(null).setTimeoutSeconds(15).build();
    }

    /** Stands in for the webhook service: every offered call gets its number's connect. */
    private void published(CallEvent event) {
        events.add(event);
        ConnectSip connect = connects.get(event.getTo());
        if (event.getType() == CallEventType.OFFERED && connect != null) {
            edge.execute(CallCommand.newBuilder().setCommandId(UUID.randomUUID().toString())
                    .setOccurredAt(Instant.now()).setCallUuid(event.getCallUuid()).setRegion("us")
                    .setInstanceId(INSTANCE).setAction(CallAction.CONNECT).setConnect(connect).build());
        }
    }

    /** A caller of {@code number} that is answered, then hangs up. */
    private Sipp call(String number) {
        return Sipp.start("uac.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(FreePorts.sip()), "-m", "1",
                "-s", number, "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + port);
    }

    /** A caller of {@code number} that expects {@code code} as the final response. */
    private Sipp call(String number, int code) {
        return Sipp.start("uac-rejected.xml", Map.of("EXPECTED_CODE", Integer.toString(code)), "-i", "127.0.0.1",
                "-p", Integer.toString(FreePorts.sip()), "-m", "1", "-s", number,
                "-key", "domain", "acme.sip-us.example.com", "127.0.0.1:" + port);
    }

    private static final String SDP = "v=0\r\no=carol 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
            + "t=0 0\r\nm=audio 40002 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

    /** A request of the caller's call {@code callId}; {@code requestLine} without the SIP version. */
    private static String callerRequest(TcpPhone caller, String requestLine, String callId, String to, int cseq,
                                        String sdp) {
        String method = requestLine.substring(0, requestLine.indexOf(' '));
        return requestLine + " SIP/2.0\r\n"
                + "Via: " + caller.via(UUID.randomUUID().toString()) + "\r\n"
                + "From: <sip:carol@127.0.0.1>;tag=carol1\r\n"
                + "To: " + to + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + "Contact: <" + caller.contact() + ";transport=tcp>\r\n"
                + "Max-Forwards: 70\r\n"
                + (sdp.isEmpty() ? "" : "Content-Type: application/sdp\r\n")
                + "Content-Length: " + sdp.length() + "\r\n\r\n" + sdp;
    }

    /** The first message on {@code connection} that starts with {@code start}, skipping others. */
    private static String readUntil(TcpPhone connection, String start) throws Exception {
        while (true) {
            String message = connection.read();
            if (message.startsWith(start)) {
                return message;
            }
        }
    }

    /** The first final response on {@code connection} to the request with {@code cseq}, skipping other messages. */
    private static String finalResponse(TcpPhone connection, String cseq) throws Exception {
        while (true) {
            String message = connection.read();
            if (message.startsWith("SIP/2.0 ") && !message.startsWith("SIP/2.0 1")
                    && cseq.equals(TcpFarEnd.header(message, "CSeq"))) {
                return message;
            }
        }
    }

    private double dropped(String reason) {
        return registry.find("psip.sip.dropped").tag("reason", reason).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private List<CallEventType> statuses(String number) {
        awaitFinal(number);
        return events.stream().filter(e -> number.equals(e.getTo())).map(CallEvent::getType).toList();
    }

    private CallEvent awaitFinal(String number) {
        return await().atMost(Duration.ofSeconds(20)).until(() -> events.stream()
                .filter(e -> number.equals(e.getTo()) && e.getType() != CallEventType.OFFERED
                        && e.getType() != CallEventType.RINGING && e.getType() != CallEventType.ANSWERED)
                .findFirst(), Optional::isPresent).orElseThrow();
    }

    private static InetAddress address(String literal) {
        return Cidr.parseAddress(literal).orElseThrow();
    }

    private <T extends AutoCloseable> T closeLater(T closeable) {
        closeAfter.add(closeable);
        return closeable;
    }
}
