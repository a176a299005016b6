package io.psip.routing.sip;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.psip.events.CallAction;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.events.CallEventType;
import io.psip.events.ConnectSip;
import io.psip.routing.RawSip;
import io.psip.routing.Sipp;
import io.psip.routing.TcpFarEnd;
import io.psip.routing.call.ActiveCalls;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.call.DestinationPolicy;
import io.psip.routing.call.DigestAuthenticator;
import io.psip.routing.call.RegionalHost;
import io.psip.routing.call.RegisteredUsers;
import io.psip.routing.call.Registrar;
import io.psip.routing.call.RegistrationMetrics;
import io.psip.routing.table.RoutingTables;
import io.psip.schemas.net.Cidr;
import io.psip.testsupport.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Register, then be called: the real registrar behind a real edge, phones that REGISTER with digest over TCP (a raw
 * socket: sipp as a client drops requests of a Call-ID it did not start) and UDP (sipp), a sipp caller, and the
 * connect to the registered user issued as the webhook service would. The call reaches each phone where its
 * REGISTER came from, whatever its Contact says.
 */
class SipEdgeRegisteredPhoneTest {

    private static final String INSTANCE = "phone-test";
    private static final String ACME = "acme.sip-us.example.com";
    /** The edge closes an idle accepted connection after this; the registrar knows it. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    /** The TCP phone's own loopback address, which nothing else in this test uses. */
    private static final InetAddress TCP_PHONES = Cidr.parseAddress("127.0.0.4").orElseThrow();
    private static final Pattern EXPIRES = Pattern.compile("(?m)^Contact: <[^>]+>;expires=(\\d+)\r?$");

    private final int port = FreePorts.sip();
    private final List<CallEvent> events = new CopyOnWriteArrayList<>();
    private final Map<String, ConnectSip> connects = new ConcurrentHashMap<>();
    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private Registrar registrar;
    private SipEdge edge;

    @BeforeEach
    void start() throws Exception {
        RoutingTables tables = EdgeFixtures.tables(SipEdgeRegisterTest.domain("acme", List.of("127.0.0.0/8"),
                "alice"));
        RegionalHost host = new RegionalHost("us", "example.com");
        registrar = new Registrar(host, tables,
                new DigestAuthenticator("k".getBytes(), Clock.systemUTC(), Duration.ofMinutes(5), List.of("MD5")),
                () -> true, new Registrar.Settings(Duration.ofSeconds(2), Duration.ofSeconds(3600),
                Duration.ofSeconds(3600), 2, 100, 1000, IDLE_TIMEOUT), INSTANCE, Clock.systemUTC(),
                new RegistrationMetrics(new SimpleMeterRegistry()));
        registrar.start();
        SipSettings.Transport defaults = EdgeFixtures.SERVICE_DEFAULT_TRANSPORT;
        SipSettings.Transport transport = new SipSettings.Transport(IDLE_TIMEOUT, defaults.readTimeout(),
                defaults.tlsHandshakeTimeout(), defaults.maxConnections(), defaults.maxConnectionsPerSource(),
                defaults.requests());
        edge = new SipEdge(new SipSettings("127.0.0.1", "127.0.0.1", port, 8192, Duration.ofSeconds(2), 1 << 20, 2,
                100, Duration.ofSeconds(20), EdgeFixtures.GENEROUS_LIMITS, null, EdgeFixtures.outbound(
                new DestinationPolicy(DestinationPolicy.DEFAULT_DENY.stream().map(Cidr::parse).toList(),
                        List.of(Cidr.parse("127.0.0.1/32"), Cidr.parse("127.0.0.4/32")), Set.of(port), Set.of()),
                Duration.ofSeconds(2)), transport),
                EdgeFixtures.admission(tables), this::published, new CallMetrics(new SimpleMeterRegistry()),
                Clock.systemUTC(), new Call.CallOrigin("us", INSTANCE), ActiveCalls.NONE, registrar,
                new RegisteredUsers(host, tables, registrar, INSTANCE));
        edge.start();
        await().atMost(Duration.ofSeconds(15)).until(edge::listening);
    }

    @AfterEach
    void stop() throws Exception {
        edge.stop();
        registrar.close();
        for (AutoCloseable c : closeAfter) {
            c.close();
        }
    }

    @Test
    void aPhoneRegisteredOverTcpIsGrantedNoMoreThanTheIdleTimeoutAndCalledOnItsConnection() throws Exception {
        ServerSocket phoneListener = closeLater(new ServerSocket(0, 10, TCP_PHONES));
        String contact = "sip:alice@127.0.0.4:" + phoneListener.getLocalPort() + ";transport=tcp";
        TcpPhone phone = closeLater(TcpPhone.connect(TCP_PHONES, port, phoneListener.getLocalPort(), contact));

        String registered = register(phone, contact, 3600);
        // Asked for an hour, granted no more than the connection lives without traffic.
        Matcher expires = EXPIRES.matcher(registered);
        assertThat(expires.find()).as(registered).isTrue();
        assertThat(Long.parseLong(expires.group(1))).isPositive().isLessThanOrEqualTo(IDLE_TIMEOUT.toSeconds());
        connects.put("701", SipEdgeRegisteredUserTest.toUser("alice", "acme"));

        Sipp caller = call("701");

        String invite = phone.read();
        assertThat(invite).startsWith("INVITE " + contact + " SIP/2.0");
        phone.answer(invite);
        assertThat(phone.read()).startsWith("ACK ");
        String bye = phone.read();
        assertThat(bye).startsWith("BYE ");
        phone.reply(bye, "200 OK", "");
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        assertThat(statuses("701")).containsExactly(CallEventType.OFFERED, CallEventType.RINGING,
                CallEventType.ANSWERED, CallEventType.COMPLETED);
        // All of it on the connection the phone registered on: none opened to its Contact or Via.
        phoneListener.setSoTimeout(200);
        assertThatThrownBy(phoneListener::accept).isInstanceOf(SocketTimeoutException.class);
        assertThat(edge.connectionsFrom(TCP_PHONES)).isEqualTo(1);
    }

    @Test
    void aPhoneRegisteredOverUdpIsCalledAtItsSourceNotItsContact() {
        int phonePort = FreePorts.sip();
        // Behind NAT: the Contact names the phone's private address and port, the REGISTER comes from phonePort.
        Sipp registering = Sipp.start("uac-register.xml", Map.of("AOR_USER", "alice",
                        "CONTACT", "<sip:alice@10.0.0.7:5062>", "EXTRA_HEADERS", "", "EXPECTED_CODE", "200"),
                "-i", "127.0.0.1", "-p", Integer.toString(phonePort), "-t", "u1", "-m", "1",
                "-au", "alice", "-ap", "pw-alice", "-auth_uri", ACME, "-key", "domain", ACME, "127.0.0.1:" + port);
        assertThat(registering.exitCode()).as(registering::logs).isZero();
        // No connection to keep alive over UDP: the default expiry stands.
        assertThat(registering.logs()).containsPattern("Contact: <sip:alice@10.0.0.7:5062>;expires=3600\r?\n");
        connects.put("702", SipEdgeRegisteredUserTest.toUser("alice", "acme"));
        // The same port again, now answering (uas-behind-nat checks the Request-URI is the Contact).
        Sipp phone = Sipp.start("uas-behind-nat.xml", Map.of(), "-i", "127.0.0.1", "-p", Integer.toString(phonePort),
                "-m", "1");

        Sipp caller = call("702");

        assertThat(phone.exitCode()).as(phone::logs).isZero();
        assertThat(caller.exitCode()).as(caller::logs).isZero();
        assertThat(statuses("702")).containsExactly(CallEventType.OFFERED, CallEventType.RINGING,
                CallEventType.ANSWERED, CallEventType.COMPLETED);
    }

    @Test
    void anUnregisteredPhoneIsNotCalledAndTheCallFailsAsNotRegistered() throws Exception {
        ServerSocket phoneListener = closeLater(new ServerSocket(0, 10, TCP_PHONES));
        String contact = "sip:alice@127.0.0.4:" + phoneListener.getLocalPort() + ";transport=tcp";
        TcpPhone phone = closeLater(TcpPhone.connect(TCP_PHONES, port, phoneListener.getLocalPort(), contact));
        register(phone, contact, 3600);
        assertThat(registrar.contactsOf("acme", "alice")).hasSize(1);
        register(phone, contact, 0);
        assertThat(registrar.contactsOf("acme", "alice")).isEmpty();
        connects.put("703", SipEdgeRegisteredUserTest.toUser("alice", "acme"));

        Sipp caller = Sipp.start("uac-rejected.xml", Map.of("EXPECTED_CODE", "480"), "-i", "127.0.0.1",
                "-p", Integer.toString(FreePorts.sip()), "-m", "1", "-s", "703", "-key", "domain", ACME,
                "127.0.0.1:" + port);

        assertThat(caller.exitCode()).as(caller::logs).isZero();
        CallEvent failed = awaitFinal("703");
        assertThat(failed.getType()).isEqualTo(CallEventType.FAILED);
        assertThat(failed.getSipCode()).isEqualTo(480);
        assertThat(failed.getReason()).isEqualTo("user_not_registered");
        // Nothing on the connection the phone still holds, and nothing to its Contact.
        phone.socket().setSoTimeout(300);
        assertThatThrownBy(phone::read).isInstanceOf(SocketTimeoutException.class);
        phoneListener.setSoTimeout(200);
        assertThatThrownBy(phoneListener::accept).isInstanceOf(SocketTimeoutException.class);
    }

    // ---- helpers ----

    /**
     * REGISTERs {@code contact} for alice on the phone's connection, Expires {@code expires}: challenged, then with
     * credentials; returns the 200.
     */
    private static String register(TcpPhone phone, String contact, int expires) throws Exception {
        String callId = "register-" + UUID.randomUUID();
        phone.write(registerRequest(phone, contact, expires, callId, 1, ""));
        String challenge = phone.read();
        assertThat(challenge).startsWith("SIP/2.0 401");
        String authorization = RawSip.digestAuthorization("REGISTER", "alice", "acme", "pw-alice",
                RawSip.nonceOf(challenge), "00000001", "sip:" + ACME);
        phone.write(registerRequest(phone, contact, expires, callId, 2, "Authorization: " + authorization + "\r\n"));
        String ok = phone.read();
        assertThat(ok).startsWith("SIP/2.0 200");
        assertThat(TcpFarEnd.header(ok, "Call-ID")).isEqualTo(callId);
        return ok;
    }

    private static String registerRequest(TcpPhone phone, String contact, int expires, String callId, int cseq,
                                          String authorization) {
        return "REGISTER sip:" + ACME + " SIP/2.0\r\n"
                + "Via: " + phone.via(UUID.randomUUID().toString()) + "\r\n"
                + "From: <sip:alice@" + ACME + ">;tag=" + callId.substring(9, 17) + "\r\n"
                + "To: <sip:alice@" + ACME + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " REGISTER\r\n"
                + "Contact: <" + contact + ">\r\n"
                + "Expires: " + expires + "\r\n"
                + "Max-Forwards: 70\r\n"
                + authorization
                + "Content-Length: 0\r\n\r\n";
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
                "-s", number, "-key", "domain", ACME, "127.0.0.1:" + port);
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

    private <T extends AutoCloseable> T closeLater(T closeable) {
        closeAfter.add(closeable);
        return closeable;
    }
}
