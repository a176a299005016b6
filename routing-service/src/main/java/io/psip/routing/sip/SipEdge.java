package io.psip.routing.sip;

import gov.nist.javax.sip.DialogTimeoutEvent;
import gov.nist.javax.sip.RequestEventExt;
import gov.nist.javax.sip.SipListenerExt;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;
import io.psip.events.ActiveCall;
import io.psip.events.CallCommand;
import io.psip.events.CallEvent;
import io.psip.routing.call.ActiveCalls;
import io.psip.routing.call.Admission;
import io.psip.routing.call.AdmissionPolicy;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallControl;
import io.psip.routing.call.CallEventPublisher;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.call.CustomHeaders;
import io.psip.routing.call.InboundInvite;
import io.psip.routing.call.MediaOffer;
import io.psip.routing.call.OverloadPolicy;
import io.psip.routing.call.Registrar;
import io.psip.routing.call.RegisteredUsers;
import io.psip.routing.call.SourceRateLimiter;
import io.psip.routing.table.Domain;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import javax.sip.ClientTransaction;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.ListeningPoint;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.TransactionUnavailableException;
import javax.sip.address.SipURI;
import javax.sip.address.TelURL;
import javax.sip.address.URI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The SIP edge on the JAIN-SIP RI: UDP, TCP (and TLS) listening points, admission of inbound INVITEs, and the B2BUA
 * calls. The thread that receives a message (the one UDP thread, or a TCP connection's) parses it, admits from
 * in-memory tables and refuses statelessly; the work of an admitted call runs on {@link KeyedLanes} keyed by the
 * inbound Call-ID. Nothing outside this package sees a JAIN-SIP type.
 */
public final class SipEdge implements SipListenerExt, CallControl {

    private static final Logger log = LoggerFactory.getLogger(SipEdge.class);
    private static final Duration PROBE_INTERVAL = Duration.ofSeconds(5);
    /** How long the hang-ups at the end of a drain may take on the lanes. */
    private static final Duration HANGUP_GRACE = Duration.ofSeconds(2);

    private final SipSettings settings;
    private final AdmissionPolicy admission;
    private final CallEventPublisher events;
    private final CallMetrics metrics;
    private final Clock clock;
    private final Call.CallOrigin origin;
    private final ActiveCalls activeCalls;
    /** Takes REGISTERs; null: REGISTER is not allowed here (405). */
    private final Registrar registrar;
    /** What a connect to a registered user rings. */
    private final RegisteredUsers registeredUsers;

    private final CallRegistry calls;
    private final OverloadPolicy overload;

    private SipStack stack;
    private SipMessages sip;
    private B2buaCall.Services callServices;
    private RegisterHandler register;
    private UdpReceiveQueue udpQueue;
    private OutboundDialer dialer;
    private GuardedNetworkLayer network;
    private ScheduledExecutorService probes;
    private volatile boolean running;
    private volatile boolean listenersAnswer;
    private int probeFailures;
    /** Graceful shutdown has begun: new calls get 503. */
    private volatile boolean draining;
    /** The calls an earlier run left behind have been ended. */
    private volatile boolean recovered;

    /** An edge that records no active calls (tests and benchmarks of the edge alone). */
    public SipEdge(SipSettings settings, AdmissionPolicy admission, CallEventPublisher events, CallMetrics metrics,
                   Clock clock, Call.CallOrigin origin) {
        this(settings, admission, events, metrics, clock, origin, ActiveCalls.NONE);
    }

    /** An edge without a registrar, whose connects reach no registered user. */
    public SipEdge(SipSettings settings, AdmissionPolicy admission, CallEventPublisher events, CallMetrics metrics,
                   Clock clock, Call.CallOrigin origin, ActiveCalls activeCalls) {
        this(settings, admission, events, metrics, clock, origin, activeCalls, null, RegisteredUsers.NONE);
    }

    /**
     * {@code activeCalls}: where answered calls are recorded, and where a start looks for an earlier run's;
     * {@code registrar}: takes this region's REGISTERs (RFC 3261 section 10), null: REGISTER gets 405;
     * {@code registeredUsers}: the contacts a connect to a registered user rings.
     */
    public SipEdge(SipSettings settings, AdmissionPolicy admission, CallEventPublisher events, CallMetrics metrics,
                   Clock clock, Call.CallOrigin origin, ActiveCalls activeCalls, Registrar registrar,
                   RegisteredUsers registeredUsers) {
        this.registrar = registrar;
        this.registeredUsers = registeredUsers;
        this.settings = settings;
        this.admission = admission;
        this.events = events;
        this.metrics = metrics;
        this.clock = clock;
        this.origin = origin;
        this.activeCalls = activeCalls;
        this.calls = new CallRegistry(settings.lanes(), settings.laneQueue());
        this.overload = new OverloadPolicy(settings.overload(), new OverloadPolicy.Signals(
                this::sipQueueDelayMillis, calls::laneDelayMillis, calls::pendingCommands));
        metrics.activeCalls(calls::activeCalls);
        metrics.backlog(this::sipQueueDelayMillis, calls::laneDelayMillis, calls::pendingCommands);
    }

    public synchronized void start() throws Exception {
        try {
            startStack();
        } catch (Exception | Error e) {
            // Release what was built (bound listeners, timers): Spring calls no destroy method for a bean whose
            // init failed, and a test or embedding JVM would otherwise keep the ports.
            stop();
            throw e;
        }
    }

    private void startStack() throws Exception {
        Properties p = new Properties();
        p.setProperty("javax.sip.STACK_NAME", "psip-" + origin.instanceId() + "-" + settings.port());
        p.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "1");
        // The listener runs on the thread that parsed the message: no hand-off to the RI's event-scanner thread
        // per message (15 % of the SIP threads' samples at load). It only looks up, admits in memory and queues,
        // and is thread-safe for TCP connections' own threads.
        p.setProperty("gov.nist.javax.sip.REENTRANT_LISTENER", "true");
        p.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", Integer.toString(settings.maxMessageSize()));
        SipSettings.Transport transport = settings.transport();
        // The RI's own connection cap, read timeout and TLS handshake watchdog, behind the per-source limits of
        // GuardedNetworkLayer.
        p.setProperty("gov.nist.javax.sip.MAX_CONNECTIONS", Integer.toString(transport.maxConnections()));
        p.setProperty("gov.nist.javax.sip.READ_TIMEOUT", Long.toString(transport.readTimeout().toMillis()));
        // Milliseconds, whatever the RI's documentation says: it schedules its watchdog with this value.
        p.setProperty("gov.nist.javax.sip.SSL_HANDSHAKE_TIMEOUT",
                Long.toString(transport.tlsHandshakeTimeout().toMillis()));
        // Every queued UDP packet holds a MAX_MESSAGE_SIZE buffer in an unbounded queue: drop what has waited
        // longer than this, so an overload sheds packets instead of exhausting the heap in the receive thread.
        p.setProperty("gov.nist.javax.sip.CONGESTION_CONTROL_TIMEOUT",
                Long.toString(settings.congestionTimeout().toMillis()));
        p.setProperty("gov.nist.javax.sip.RECEIVE_UDP_BUFFER_SIZE", Integer.toString(settings.udpReceiveBuffer()));
        p.setProperty("gov.nist.javax.sip.IS_BACK_TO_BACK_USER_AGENT", "true");
        // UDP responses go to the port the request came from (rport, RFC 3581, even when the caller did not ask),
        // never to a port its Via names.
        p.setProperty("gov.nist.javax.sip.ALWAYS_ADD_RPORT", "true");
        p.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
        p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", Slf4jServerLogger.class.getName());
        // Our sockets (bounded connect and handshake, far ends' certificates checked against the outbound trust
        // store and their names) and our router (outbound INVITEs go to the address the policy checked).
        p.setProperty("gov.nist.javax.sip.NETWORK_LAYER", OutboundNetworkLayer.class.getName());
        p.setProperty("javax.sip.ROUTER_PATH", PinnedHopRouter.class.getName());
        if (settings.tls() != null) {
            // Callers are not asked for certificates; the RI's defaults would offer TLS 1.0 and RSA key exchange.
            p.setProperty("gov.nist.javax.sip.TLS_CLIENT_AUTH_TYPE", "Disabled");
            p.setProperty("gov.nist.javax.sip.TLS_CLIENT_PROTOCOLS", "TLSv1.2,TLSv1.3");
            p.setProperty("gov.nist.javax.sip.ENABLED_CIPHER_SUITES", String.join(",",
                    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"));
        }
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        stack = factory.createSipStack(p);
        OutboundNetworkLayer sockets = (OutboundNetworkLayer) ((SipStackImpl) stack).getNetworkLayer();
        SSLContext serverTls = settings.tls() == null ? null : OutboundNetworkLayer.serverContext(settings.tls());
        sockets.configure(settings.outbound().connectTimeout(),
                OutboundNetworkLayer.clientContext(settings.tls(), settings.outbound()), settings.outbound().policy(),
                metrics::dropped);
        dialer = new OutboundDialer(new TargetResolver(TargetResolver.system(settings.outbound().resolveTimeout())),
                settings.outbound(), sockets);
        ((SipStackImpl) stack).setMessageParserFactory(new CountingMessageParserFactory(metrics::malformed));
        SourceRateLimiter requests = new SourceRateLimiter(transport.requests());
        network = GuardedNetworkLayer.install((SipStackImpl) stack, new GuardedNetworkLayer.Guard(requests,
                transport.maxConnectionsPerSource(), (int) transport.idleTimeout().toMillis(), metrics::dropped,
                serverTls));
        StrayResponseValve strays = new StrayResponseValve(() -> metrics.malformed("stray_response"));
        strays.init(stack);
        ((SipStackImpl) stack).sipMessageValves.add(strays);
        ((SipStackImpl) stack).sipMessageValves.add(new RequestValve(requests, this::badRequest, metrics::dropped));
        ListeningPoint udp = stack.createListeningPoint(settings.bindAddress(), settings.port(), ListeningPoint.UDP);
        ListeningPoint tcp = stack.createListeningPoint(settings.bindAddress(), settings.port(), ListeningPoint.TCP);
        if (!settings.advertisedAddress().equals(settings.bindAddress())) {
            // Requests the stack builds itself (ACK, BYE, CANCEL) take their Via from here.
            udp.setSentBy(settings.advertisedAddress() + ":" + settings.port());
            tcp.setSentBy(settings.advertisedAddress() + ":" + settings.port());
        }
        udpQueue = UdpReceiveQueue.of(udp);
        SipProvider provider = stack.createSipProvider(udp);
        provider.addListeningPoint(tcp);
        if (settings.tls() != null) {
            ListeningPoint tls = stack.createListeningPoint(settings.bindAddress(), settings.tls().port(), "tls");
            if (!settings.advertisedAddress().equals(settings.bindAddress())) {
                tls.setSentBy(settings.advertisedAddress() + ":" + settings.tls().port());
            }
            provider.addListeningPoint(tls);
        }
        sip = new SipMessages(provider, factory.createAddressFactory(), factory.createHeaderFactory(),
                factory.createMessageFactory(), settings, sockets);
        if (registrar != null) {
            register = new RegisterHandler(sip, registrar, factory.createAddressFactory(),
                    factory.createMessageFactory(), factory.createHeaderFactory(),
                    () -> draining ? OverloadPolicy.Reason.DRAINING : overload.shed(), overload::retryAfterSeconds,
                    clock);
        }
        callServices = new B2buaCall.Services(sip, calls, this::publish, metrics, settings.commandTimeout(),
                dialer, settings.lifetime(), activeCalls, registeredUsers);
        provider.addSipListener(this);
        Instant startedAt = clock.instant();
        stack.start();
        running = true;
        Thread recovery = new Thread(() -> endCallsOfEarlierRun(startedAt), "sip-recovery");
        recovery.setDaemon(true);
        recovery.start();
        ListenerProbe probe = new ListenerProbe(settings.bindAddress(), settings.port());
        probes = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sip-probe");
            t.setDaemon(true);
            return t;
        });
        probes.scheduleWithFixedDelay(() -> {
            boolean answered = probe.udpAnswers() & probe.tcpAnswers();
            // One missed probe under a burst is not a dead listener; two in a row are.
            probeFailures = answered ? 0 : probeFailures + 1;
            listenersAnswer = answered || (listenersAnswer && probeFailures < 2);
        }, 0, PROBE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        log.info("SIP listening on {}:{} (udp, tcp){} for region {}", settings.bindAddress(), settings.port(),
                settings.tls() == null ? ", no TLS (no key store configured)" : " and " + settings.tls().port() + " (tls)",
                origin.region());
        warnIfReceiveBufferCapped(settings.udpReceiveBuffer());
    }

    /** Linux silently caps SO_RCVBUF; say so, since a small buffer turns every pause into dropped datagrams. */
    private static void warnIfReceiveBufferCapped(int requested) {
        Path rmemMax = Path.of("/proc/sys/net/core/rmem_max");
        try {
            // Not Files.readString: it trusts the size procfs reports and read only "4" of 4194304 here.
            long cap = Files.isReadable(rmemMax) ? Long.parseLong(Files.readAllLines(rmemMax).get(0).trim())
                    : requested;
            if (cap < requested) {
                log.warn("the kernel caps the UDP receive buffer at {} bytes (net.core.rmem_max), below the {} asked"
                        + " for; raise it (sysctl -w net.core.rmem_max={}) so bursts are not dropped", cap, requested,
                        requested);
            }
        } catch (IOException | NumberFormatException e) {
            log.debug("cannot read {}: {}", rmemMax, e.toString());
        }
    }

    /**
     * After a crash: ends every call an earlier run of this instance recorded and never ended (see
     * {@link RestartRecovery}). Records written since {@code startedAt} are this run's own calls.
     */
    private void endCallsOfEarlierRun(Instant startedAt) {
        try {
            List<ActiveCall> left = activeCalls.heldBy(origin.instanceId()).stream()
                    .filter(call -> call.getRecordedAt().isBefore(startedAt)).toList();
            RestartRecovery recovery = new RestartRecovery(sip, this::publish, activeCalls, clock);
            left.forEach(recovery::end);
            if (!left.isEmpty()) {
                log.info("ended {} calls an earlier run of {} held", left.size(), origin.instanceId());
            }
            recovered = true;
        } catch (RuntimeException e) {
            log.error("could not end the calls an earlier run held; not ready", e);
        }
    }

    /** True once the calls an earlier run of this instance left behind have been ended (readiness waits for it). */
    public boolean recovered() {
        return recovered;
    }

    /** True from the start of a graceful shutdown: new calls get 503. */
    public boolean draining() {
        return draining;
    }

    /**
     * Graceful shutdown: from now on new calls get 503 with Retry-After; the calls in progress have up to
     * {@code timeout} to end by themselves, then the rest are hung up (BYE to both legs, or a final response to a
     * call not yet answered) with {@link Call#PLATFORM_RESTART}, which also removes their records.
     */
    public void drain(Duration timeout) {
        if (!running || draining) {
            return;
        }
        draining = true;
        log.info("draining: {} calls in progress, new calls get 503; the rest are hung up in {}",
                calls.activeCalls(), timeout);
        if (!calls.awaitNone(timeout)) {
            int left = calls.activeCalls();
            calls.forEachHeld(call -> call.hangup(Call.PLATFORM_RESTART));
            log.info("drain over: hanging up {} calls", left);
            if (!calls.awaitNone(HANGUP_GRACE)) {
                log.warn("{} calls still held after the hang-up; their records stay for the next run",
                        calls.activeCalls());
            }
        }
    }

    /** Hangs up what is left (a drain of zero unless {@link #drain} ran before), then stops the stack. */
    public synchronized void stop() {
        drain(Duration.ZERO);
        running = false;
        if (probes != null) {
            probes.shutdownNow();
        }
        if (stack != null) {
            stack.stop();
            stack = null;
        }
        if (dialer != null) {
            dialer.close();
        }
        calls.close();
    }

    /** Server transactions the stack holds now (tests: what a request cost). */
    int serverTransactions() {
        return ((SipStackImpl) stack).getServerTransactionTableSize();
    }

    /** Accepted TCP/TLS connections held from this source now. */
    int connectionsFrom(InetAddress source) {
        return network.connections(source);
    }

    private long sipQueueDelayMillis() {
        UdpReceiveQueue queue = udpQueue;
        return queue == null ? 0 : queue.oldestWaitMillis();
    }

    /** True while the UDP and TCP listeners answer an OPTIONS from outside (checked every few seconds). */
    public boolean listening() {
        return running && listenersAnswer;
    }

    // ---- JAIN-SIP callbacks: on the thread that parsed the message (the one UDP thread, or a TCP connection's),
    // ---- so they only look up, admit (in memory) and queue ----

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        try {
            String callId = callId(request);
            if (((SIPRequest) request).getApplicationData() == CountingMessageParserFactory.UNSUPPORTED_VERSION) {
                metrics.malformed("sip_version");
                if (!Request.ACK.equals(request.getMethod())) {
                    sip.respondStateless(request, Response.VERSION_NOT_SUPPORTED);
                }
                return;
            }
            switch (request.getMethod()) {
                case Request.INVITE -> inviteReceived((RequestEventExt) event, callId);
                case Request.ACK, Request.BYE, Request.CANCEL -> {
                    if (Request.ACK.equals(request.getMethod()) && calls.findForRequest(callId) == null) {
                        return; // ACK to a refusal: nothing to do
                    }
                    if (!calls.runFor(callId, () -> inDialogRequest(event, callId, null))) {
                        // Only a request of no call held here is dropped; counted, not logged, since anyone can
                        // send them (a line each would let a flood fill the log).
                        metrics.dropped("lane_full");
                    }
                }
                case Request.UPDATE -> {
                    // A session refresh or media change inside a dialog (RFC 3311, RFC 4028): relayed like a
                    // re-INVITE; outside any call it gets 481 on the lane.
                    ServerTransaction st = sip.serverTransaction(event);
                    calls.runFor(callId, () -> inDialogRequest(event, callId, st));
                }
                // Statelessly, like a refusal: an OPTIONS from anyone (scanners, keep-alives, the readiness
                // probe) must not cost a transaction.
                case Request.OPTIONS -> answerStatelessly(request, Response.OK, "OK");
                case Request.REGISTER -> {
                    if (register == null) {
                        sip.methodNotAllowed(request);
                    } else {
                        register.received((RequestEventExt) event);
                    }
                }
                default -> sip.methodNotAllowed(request);
            }
        } catch (Exception e) {
            metrics.malformed("unhandled_request");
            log.warn("could not handle {} request: {}", request.getMethod(), e.toString());
        }
    }

    @Override
    public void processResponse(ResponseEvent event) {
        Response response = event.getResponse();
        CallRegistry.Leg leg = calls.findForResponse(callId(response));
        if (leg != null) {
            // Only responses to our own transactions get here (StrayResponseValve drops the rest), and over TCP
            // none is retransmitted: a full lane must not lose the answer to a relayed re-INVITE or the far end's 200.
            calls.runAlways(leg.call(), () -> leg.call().onResponse(event, !leg.fromCaller()));
        }
    }

    @Override
    public void processTimeout(TimeoutEvent event) {
        if (event.isServerTransaction()) {
            return;
        }
        ClientTransaction ct = event.getClientTransaction();
        CallRegistry.Leg leg = calls.findForResponse(callId(ct.getRequest()));
        if (leg != null) {
            calls.runAlways(leg.call(), () -> leg.call().onOutboundTimeout(ct));
        }
    }

    @Override
    public void processDialogTimeout(DialogTimeoutEvent event) {
        if (event.getReason() != DialogTimeoutEvent.Reason.AckNotReceived) {
            return;
        }
        B2buaCall call = calls.byInboundCallId(event.getDialog().getCallId().getCallId());
        if (call != null) {
            calls.runAlways(call, call::onAckTimeout);
        }
    }

    @Override
    public void processIOException(IOExceptionEvent event) {
        log.debug("SIP I/O error towards {}:{}/{}", event.getHost(), event.getPort(), event.getTransport());
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
    }

    // ---- admission, on the SIP thread ----

    /**
     * Admission runs right here on the SIP thread: it only reads in-memory tables, and a refused INVITE is answered
     * statelessly (a retransmission is simply refused again), so refusals cost no transaction and no hand-off.
     * Only an admitted call gets a server transaction and moves to its lane.
     */
    private void inviteReceived(RequestEventExt event, String callId) throws Exception {
        Request request = event.getRequest();
        if (event.getDialog() != null && event.getDialog().getState() != null) {
            // A re-INVITE (hold, media change, session refresh) on one leg: relayed to the other.
            ServerTransaction st = sip.serverTransaction(event);
            calls.runFor(callId, () -> inDialogRequest(event, callId, st));
            return;
        }
        if (event.getServerTransaction() != null) {
            return; // already ours: the stack answers retransmissions itself
        }
        if (!(request.getRequestURI() instanceof SipURI sipUri)) {
            metrics.malformed("request_uri");
            sip.respondStateless(request, Response.UNSUPPORTED_URI_SCHEME);
            return;
        }
        MaxForwardsHeader maxForwards = (MaxForwardsHeader) request.getHeader(MaxForwardsHeader.NAME);
        Header authorization = request.getHeader("Authorization");
        String source = event.getRemoteIpAddress();
        FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
        Admission decision = admission.admit(new InboundInvite(sipUri.toString(), sipUri.getUser(), sipUri.getHost(),
                maxForwards == null ? null : maxForwards.getMaxForwards(), source,
                authorization == null ? null : headerValue(authorization), arrivedOverTls(request),
                () -> mediaOffer(request), from == null ? null : userOf(from.getAddress().getURI())));
        if (decision instanceof Admission.Rejected rejected) {
            refuse(request, rejected.sipCode(), rejected.reason(), rejected.challenges(), null);
            log.debug("INVITE Call-ID {} to {} from {} refused with {}", callId, sipUri.getHost(), source,
                    rejected.sipCode());
            return;
        }
        Admission.Accepted accepted = (Admission.Accepted) decision;
        OverloadPolicy.Reason overloaded = draining ? OverloadPolicy.Reason.DRAINING : overload.shed();
        if (overloaded != null) {
            shed(request, overloaded);
            return;
        }
        Domain domain = accepted.domain().orElse(null); // null for SIP Connect: counted, never limited
        String domainName = domain == null ? null : domain.name();
        if (!calls.tryAcquire(domain)) {
            refuse(request, Response.SERVICE_UNAVAILABLE, "Service Unavailable", List.of(), 30);
            // Debug like every other refusal: a burst at the limit would otherwise log a line per INVITE on the
            // SIP thread; psip.calls.rejected{code=503} counts them.
            log.debug("INVITE Call-ID {} refused: domain {} is at its limit of {} calls", callId, domainName,
                    domain.maxConcurrentCalls());
            return;
        }
        ServerTransaction st;
        try {
            st = sip.newServerTransaction(request);
        } catch (TransactionAlreadyExistsException retransmission) {
            calls.release(domainName);
            return;
        } catch (TransactionUnavailableException e) {
            // The stack refuses INVITEs it cannot build a transaction for, e.g. one without Contact.
            calls.release(domainName);
            metrics.malformed("invite");
            sip.respondStateless(request, Response.BAD_REQUEST);
            return;
        }
        if (!calls.queueAdmitted(callId, () -> accept(st, request, accepted, domainName, callId))) {
            calls.release(domainName);
            sip.respondWithRetryAfter(st, Response.SERVICE_UNAVAILABLE, request, overload.retryAfterSeconds());
            metrics.rejected(Response.SERVICE_UNAVAILABLE);
            metrics.shed(OverloadPolicy.Reason.LANES.tag());
        }
    }

    /** The transport the request really came in on (its message channel), never what its Via claims. */
    private static boolean arrivedOverTls(Request request) {
        return ((SIPRequest) request).getMessageChannel() instanceof MessageChannel channel && channel.isSecure();
    }

    private static MediaOffer mediaOffer(Request request) {
        ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        return MediaOffer.of(type == null ? null : type.getContentType() + "/" + type.getContentSubType(),
                request.getRawContent());
    }

    /** The answer to a request the parser marked malformed: a plain 400 with a fixed reason phrase. */
    private void badRequest(Request request) {
        answerStatelessly(request, Response.BAD_REQUEST, "Bad Request");
    }

    /**
     * A final response without a transaction. Failing to send it (the sender gone, its connection closed) is the
     * sender's loss, logged at debug: anyone could make this happen for every request.
     */
    private void answerStatelessly(Request request, int code, String reason) {
        try {
            sip.refuse(request, code, reason, List.of(), null);
        } catch (Exception e) {
            log.debug("could not answer {} with {}: {}", request.getMethod(), code, e.toString());
        }
    }

    /** Refuses a new call statelessly, before it costs a transaction: the instance is overloaded. */
    private void shed(Request request, OverloadPolicy.Reason reason) throws Exception {
        refuse(request, Response.SERVICE_UNAVAILABLE, "Service Unavailable", List.of(), overload.retryAfterSeconds());
        metrics.shed(reason.tag());
    }

    private void refuse(Request request, int code, String reason, List<String> challenges, Integer retryAfter)
            throws Exception {
        sip.refuse(request, code, reason, challenges, retryAfter);
        metrics.rejected(code);
    }

    // ---- work on the lanes ----

    /** {@code domainName}: null for SIP Connect. */
    private void accept(ServerTransaction st, Request request, Admission.Accepted accepted, String domainName,
                        String callId) {
        if (settings.lifetime().tooSmall(SipMessages.seconds(request, SipMessages.SESSION_EXPIRES))) {
            // RFC 4028: a session interval below our Min-SE is refused before the call is offered.
            sip.intervalTooSmall(st, request, settings.lifetime().minSessionExpires().toSeconds());
            calls.acceptFailed(domainName);
            metrics.rejected(SipMessages.SESSION_INTERVAL_TOO_SMALL);
            return;
        }
        try {
            Call call = new Call(origin, domainName, accepted.accountId(), accepted.application().id(),
                    userOf(((FromHeader) request.getHeader(FromHeader.NAME)).getAddress().getURI()), accepted.to(),
                    accepted.fromUser(), callId, customHeaders(request), clock);
            B2buaCall b2bua = new B2buaCall(callServices, call, st, request);
            calls.add(b2bua);
            CallRegistry.inCall(b2bua, b2bua::offer);
        } catch (RuntimeException e) {
            calls.acceptFailed(domainName);
            metrics.malformed("invite");
            log.warn("could not accept INVITE Call-ID {}: {}", callId, e.toString());
            sip.respond(st, Response.SERVER_INTERNAL_ERROR, request);
        }
    }

    /**
     * The call is looked up here, on the lane, not on the SIP thread: a CANCEL or BYE right behind its INVITE is
     * queued behind the acceptance that registers the call. {@code st}: the server transaction already made on the
     * SIP thread (re-INVITE, UPDATE), or null.
     */
    private void inDialogRequest(RequestEvent event, String callId, ServerTransaction st) {
        Request request = event.getRequest();
        CallRegistry.Leg leg = calls.findForRequest(callId);
        if (leg == null) {
            if (st != null) {
                sip.respond(st, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, request);
            } else if (!Request.ACK.equals(request.getMethod())) {
                sip.respondStateless(request, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
            }
            return;
        }
        B2buaCall call = leg.call();
        CallRegistry.inCall(call, st != null ? () -> call.onSessionUpdate(st, request, leg.fromCaller())
                : () -> call.onRequest(event, leg.fromCaller()));
    }

    @Override
    public boolean execute(CallCommand command) {
        if (!origin.instanceId().equals(command.getInstanceId())) {
            return false;
        }
        B2buaCall call = calls.byUuid(command.getCallUuid());
        return call != null && calls.run(call, () -> call.onCommand(command));
    }

    /** A lost event must not break the call's SIP handling; it is logged and counted instead. */
    private void publish(CallEvent event) {
        try {
            events.publish(event);
        } catch (RuntimeException e) {
            metrics.eventNotPublished();
            log.error("could not publish {} event #{}: {}", event.getType(), event.getSequence(), e.toString());
        }
    }

    private static String callId(javax.sip.message.Message message) {
        return ((CallIdHeader) message.getHeader(CallIdHeader.NAME)).getCallId();
    }

    static String userOf(URI uri) {
        if (uri instanceof SipURI sip) {
            return sip.getUser() == null ? sip.getHost() : sip.getUser();
        }
        if (uri instanceof TelURL tel) {
            return tel.getPhoneNumber();
        }
        return uri.toString();
    }

    /** A header's value without its name, whatever class the stack parsed it into. */
    static String headerValue(Header header) {
        String encoded = header.toString();
        int colon = encoded.indexOf(':');
        return encoded.substring(colon + 1).trim();
    }

    private static Map<String, String> customHeaders(Request request) {
        Map<String, String> custom = new LinkedHashMap<>();
        ListIterator<String> names = request.getHeaderNames();
        while (names.hasNext()) {
            String name = names.next();
            if (CustomHeaders.isCustom(name) && !custom.containsKey(name)) {
                custom.put(name, headerValue(request.getHeader(name)));
            }
        }
        return custom;
    }
}
