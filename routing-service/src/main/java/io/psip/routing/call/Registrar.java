package io.psip.routing.call;

import io.psip.routing.table.Domain;
import io.psip.routing.table.RoutingTables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * SIP registration (RFC 3261 section 10.3) for this region's domains: who may register ({@link #authorize}), then
 * the bindings of each address of record {@code user@domain} ({@link #update}), kept in memory for every instance
 * of the region and published on every change so the others (and a restart) know them ({@link #apply}).
 * Mutations take one lock: REGISTERs are rare next to calls, and the limits stay exact; reads take none.
 */
public final class Registrar implements Registrations, AutoCloseable {

    /** How often bindings whose time is up are looked for: a binding outlives its expiry by at most this. */
    private static final Logger log = LoggerFactory.getLogger(Registrar.class);
    private static final Duration SWEEP = Duration.ofSeconds(1);

    /**
     * @param minExpires          a shorter non-zero expiry asked for gets 423 with this as Min-Expires
     * @param maxExpires          a longer one is shortened to this
     * @param defaultExpires      when neither the Contact nor the request says
     * @param maxContactsPerAor   bindings one address of record may have; one more: 403
     * @param maxBindingsPerDomain bindings of all of one domain's users; one more: 403 (a tenant's own limit)
     * @param maxBindings         bindings of the whole region this instance holds; one more: 503
     * @param connectionIdleTimeout the edge closes an accepted TCP/TLS connection idle this long (zero: never), so
     *                            a REGISTER over one is granted at most this (but not less than minExpires): the
     *                            phone re-registers on it before it is closed, which keeps it open
     */
    public record Settings(Duration minExpires, Duration maxExpires, Duration defaultExpires, int maxContactsPerAor,
                           int maxBindingsPerDomain, int maxBindings, Duration connectionIdleTimeout) {

        public Settings {
            if (minExpires.isNegative() || maxExpires.compareTo(minExpires) < 0 || defaultExpires.compareTo(minExpires) < 0
                    || defaultExpires.compareTo(maxExpires) > 0 || connectionIdleTimeout.isNegative()) {
                throw new IllegalArgumentException("registration expiry needs 0 <= min <= default <= max: " + this);
            }
        }

        /** The longest expiry a REGISTER that came over {@code transport} is granted. */
        Duration maxExpires(String transport) {
            boolean connection = "tcp".equals(transport) || "tls".equals(transport);
            if (!connection || connectionIdleTimeout.isZero() || connectionIdleTimeout.compareTo(maxExpires) >= 0) {
                return maxExpires;
            }
            return connectionIdleTimeout.compareTo(minExpires) < 0 ? minExpires : connectionIdleTimeout;
        }

        /** The idle timeout is shorter than min-expires: a phone that only re-registers loses its connection. */
        boolean idleTimeoutBelowMinExpires() {
            return !connectionIdleTimeout.isZero() && connectionIdleTimeout.compareTo(minExpires) < 0;
        }
    }

    /** One contact of an address of record, and where its REGISTER really came from. */
    public record Binding(String contact, Instant expiresAt, Float q, String sourceAddress, int sourcePort,
                          String transport, String instanceId, String callId, long cseq) {
    }

    /** Every binding of one address of record after a change; none left: it is gone. */
    public record Bindings(String domain, String user, long version, List<Binding> bindings) {

        public Bindings {
            bindings = List.copyOf(bindings);
        }

        public String aor() {
            return Registrar.aor(domain, user);
        }
    }

    /** Where every change of bindings goes (the region's topic). */
    public interface Publisher {
        void publish(Bindings changed);
    }

    /** A Contact of a REGISTER: its URI, its {@code expires} parameter and q-value (null when absent). */
    public record RequestedContact(String uri, Integer expires, Float q) {
    }

    /**
     * What a REGISTER asks and where it came from. {@code wildcard}: {@code Contact: *}; {@code expires}: the
     * Expires header, null when absent; {@code transport}: the one it really arrived on (udp, tcp, tls).
     */
    public record Register(String requestUri, String requestUriHost, String toUser, String toHost,
                           String authorization, String sourceAddress, int sourcePort, String transport,
                           String callId, long cseq, boolean wildcard, List<RequestedContact> contacts,
                           Integer expires) {
    }

    /** The outcome of {@link #authorize} or {@link #update}. */
    public sealed interface Outcome {
    }

    /**
     * The final response to send instead: {@code challenges} are WWW-Authenticate values of a 401,
     * {@code minExpires} the Min-Expires of a 423; {@code reason} also tags the refusal counter.
     */
    public record Refused(int sipCode, String phrase, String reason, List<String> challenges, Long minExpires)
            implements Outcome {

        Refused(int sipCode, String phrase, String reason) {
            this(sipCode, phrase, reason, List.of(), null);
        }
    }

    /** The REGISTER is from {@code user} of {@code domain}, allowed to change that user's bindings. */
    public record Authorized(String domain, String user) implements Outcome {
    }

    /** Done: the address of record's bindings now (what the 200 lists). */
    public record Registered(List<Binding> bindings) implements Outcome {
    }

    private final RegionalHost regionalHost;
    private final RoutingTables tables;
    private final DigestAuthenticator digest;
    private final BooleanSupplier loaded;
    private final Settings settings;
    private final String instanceId;
    private final Clock clock;
    private final RegistrationMetrics metrics;
    private volatile Publisher publisher = changed -> { };
    private volatile BooleanSupplier bindingsRead = () -> true;

    /** Bindings by address of record; values are immutable, replaced under {@link #lock}. */
    private final Map<String, Bindings> aors = new ConcurrentHashMap<>();
    private final Map<String, Integer> perDomain = new HashMap<>();
    private final Object lock = new Object();
    private volatile int total;
    private ScheduledExecutorService timer;

    /**
     * @param loaded false while the tables are still being read: REGISTER then gets 503
     */
    public Registrar(RegionalHost regionalHost, RoutingTables tables, DigestAuthenticator digest,
                     BooleanSupplier loaded, Settings settings, String instanceId, Clock clock,
                     RegistrationMetrics metrics) {
        this.regionalHost = regionalHost;
        this.tables = tables;
        this.digest = digest;
        this.loaded = loaded;
        this.settings = settings;
        this.instanceId = instanceId;
        this.clock = clock;
        this.metrics = metrics;
        metrics.bindings(() -> total);
    }

    /**
     * Set once at wiring, before the first REGISTER: where changes go, and whether the bindings already there
     * have been read back into this registrar (REGISTER gets 503 until then). Unset, changes go nowhere.
     */
    public void publishTo(Publisher publisher, BooleanSupplier caughtUp) {
        this.publisher = Objects.requireNonNull(publisher);
        this.bindingsRead = Objects.requireNonNull(caughtUp);
    }

    /** Starts the timer that removes bindings on time. */
    public synchronized void start() {
        if (settings.idleTimeoutBelowMinExpires()) {
            log.warn("psip.sip.transport.idle-timeout {} is shorter than psip.sip.registration.min-expires {}: a phone"
                    + " registered over TCP or TLS that sends nothing else in between loses its connection before it"
                    + " re-registers", settings.connectionIdleTimeout(), settings.minExpires());
        }
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "registrations-expiry");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleWithFixedDelay(this::expireSafely, SWEEP.toMillis(), SWEEP.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
    }

    /** A failure must not end the timer (a scheduled task that throws is never run again). */
    private void expireSafely() {
        try {
            expireDue();
        } catch (RuntimeException e) {
            log.error("could not expire registrations", e);
        }
    }

    public RegistrationMetrics metrics() {
        return metrics;
    }

    public static String aor(String domain, String user) {
        return user + "@" + domain;
    }

    // ---- who may register (RFC 3261 10.3 steps 1 to 5): in memory, no lock ----

    public Outcome authorize(Register register) {
        Optional<String> name = regionalHost.domainName(register.requestUriHost());
        if (name.isEmpty()) {
            return refused(new Refused(404, "Not Found", "not_our_host"));
        }
        if (!loaded.getAsBoolean() || !bindingsRead.getAsBoolean()) {
            return refused(new Refused(503, "Service Unavailable", "loading"));
        }
        Optional<Domain> found = tables.domain(name.get());
        if (found.isEmpty()) {
            return refused(new Refused(404, "Not Found", "unknown_domain"));
        }
        Domain domain = found.get();
        if (!domain.allows(register.sourceAddress())) {
            return refused(new Refused(403, "Forbidden", "acl"));
        }
        if (domain.digestUsers().isEmpty()) {
            // Registration always authenticates: a domain without users has nobody who may register.
            return refused(new Refused(403, "Forbidden", "no_users"));
        }
        String realm = AdmissionPolicy.digestRealm(domain.name());
        DigestAuthenticator.Verification verified = digest.authenticate("REGISTER", register.requestUri(),
                register.authorization(), realm, domain::digestUser);
        switch (verified.outcome()) {
            case ACCEPTED -> { }
            case MISSING, CHALLENGE -> {
                return refused(new Refused(401, "Unauthorized", "challenged", digest.challenges(realm, false), null));
            }
            case STALE -> {
                return refused(new Refused(401, "Unauthorized", "challenged", digest.challenges(realm, true), null));
            }
            case REJECTED -> {
                return refused(new Refused(403, "Forbidden", "credentials"));
            }
        }
        String user = verified.username(); // one of the domain's users
        Optional<String> toDomain = regionalHost.domainName(register.toHost());
        if (toDomain.isEmpty() || !toDomain.get().equals(name.get())) {
            return refused(new Refused(404, "Not Found", "foreign_aor"));
        }
        if (!user.equals(register.toUser())) {
            // Nobody registers for someone else.
            return refused(new Refused(403, "Forbidden", "not_own_aor"));
        }
        return new Authorized(domain.name(), user);
    }

    // ---- the bindings (RFC 3261 10.3 steps 6 to 8) ----

    /** Applies an authorized REGISTER: its bindings added, refreshed or removed, or the whole request refused. */
    public Outcome update(Authorized who, Register register) {
        Instant now = clock.instant();
        List<Change> changes = new ArrayList<>();
        if (register.wildcard()) {
            if (!register.contacts().isEmpty() || register.expires() == null || register.expires() != 0) {
                return refused(new Refused(400, "Bad Request", "bad_wildcard"));
            }
        } else {
            for (RequestedContact contact : register.contacts()) {
                Duration asked = contact.expires() != null ? Duration.ofSeconds(contact.expires())
                        : register.expires() != null ? Duration.ofSeconds(register.expires())
                        : settings.defaultExpires();
                if (asked.isNegative()) {
                    return refused(new Refused(400, "Bad Request", "bad_expires"));
                }
                if (!asked.isZero() && asked.compareTo(settings.minExpires()) < 0) {
                    return refused(new Refused(423, "Interval Too Brief", "too_brief", List.of(),
                            settings.minExpires().toSeconds()));
                }
                Duration longest = settings.maxExpires(register.transport());
                Duration granted = asked.compareTo(longest) > 0 ? longest : asked;
                changes.add(new Change(contact, granted));
            }
        }
        String aor = aor(who.domain(), who.user());
        synchronized (lock) {
            List<Binding> current = live(aors.get(aor), now);
            List<Binding> next = new ArrayList<>(current);
            for (Binding existing : current) {
                boolean touched = register.wildcard()
                        || changes.stream().anyMatch(c -> c.contact().uri().equals(existing.contact()));
                // Step 7: the same Call-ID with a CSeq not higher is an old or repeated request.
                if (touched && existing.callId().equals(register.callId()) && register.cseq() <= existing.cseq()) {
                    return refused(new Refused(500, "Server Internal Error", "out_of_order"));
                }
            }
            if (register.wildcard()) {
                next.clear();
            }
            for (Change change : changes) {
                next.removeIf(b -> b.contact().equals(change.contact().uri()));
                if (!change.granted().isZero()) {
                    next.add(new Binding(change.contact().uri(), now.plus(change.granted()), change.contact().q(),
                            register.sourceAddress(), register.sourcePort(), register.transport(), instanceId,
                            register.callId(), register.cseq()));
                }
            }
            int added = next.size() - countOf(aors.get(aor));
            if (next.size() > settings.maxContactsPerAor() && next.size() > current.size()) {
                return refused(new Refused(403, "Too Many Contacts", "aor_limit"));
            }
            if (added > 0 && perDomain.getOrDefault(who.domain(), 0) + added > settings.maxBindingsPerDomain()) {
                return refused(new Refused(403, "Too Many Registrations", "domain_limit"));
            }
            if (added > 0 && total + added > settings.maxBindings()) {
                return refused(new Refused(503, "Service Unavailable", "instance_limit"));
            }
            if (!next.equals(current)) {
                Bindings changed = new Bindings(who.domain(), who.user(), nextVersion(aors.get(aor), now), next);
                put(aor, changed);
                publisher.publish(changed);
            }
            return new Registered(next);
        }
    }

    private record Change(RequestedContact contact, Duration granted) {
    }

    /**
     * A change read from the region's topic (another instance's, or an earlier run's): kept unless what is held is
     * as new; {@code bindings} null is a tombstone. Bindings already expired are dropped.
     */
    public void apply(String aor, Bindings bindings) {
        synchronized (lock) {
            Bindings held = aors.get(aor);
            if (bindings == null) {
                put(aor, null);
                return;
            }
            if (held != null && held.version() >= bindings.version()) {
                return;
            }
            List<Binding> live = live(bindings, clock.instant());
            put(aor, live.isEmpty() ? null : new Bindings(bindings.domain(), bindings.user(), bindings.version(), live));
        }
    }

    /**
     * Removes the bindings whose time is up (run by a timer). A change is published when one of the bindings
     * removed was taken by this instance; the others only forget it, as the taker does the same.
     */
    public void expireDue() {
        Instant now = clock.instant();
        synchronized (lock) {
            for (Bindings held : List.copyOf(aors.values())) {
                List<Binding> live = live(held, now);
                if (live.size() == held.bindings().size()) {
                    continue;
                }
                Bindings changed = new Bindings(held.domain(), held.user(), nextVersion(held, now), live);
                put(held.aor(), live.isEmpty() ? null : changed);
                if (held.bindings().stream().anyMatch(b -> !live.contains(b) && instanceId.equals(b.instanceId()))) {
                    publisher.publish(changed);
                }
            }
        }
    }

    /** Under {@link #lock}: replaces (null: removes) an address of record's bindings and keeps the counts. */
    private void put(String aor, Bindings bindings) {
        Bindings old = bindings == null ? aors.remove(aor) : aors.put(aor, bindings);
        int delta = countOf(bindings) - countOf(old);
        if (delta != 0) {
            String domain = bindings != null ? bindings.domain() : old.domain();
            perDomain.merge(domain, delta, (a, b) -> a + b == 0 ? null : a + b);
            total += delta;
        }
    }

    private static int countOf(Bindings bindings) {
        return bindings == null ? 0 : bindings.bindings().size();
    }

    private static List<Binding> live(Bindings bindings, Instant now) {
        return bindings == null ? List.of()
                : bindings.bindings().stream().filter(b -> b.expiresAt().isAfter(now)).toList();
    }

    /** Microseconds of this clock, past what is held: an update within one microsecond still wins. */
    private static long nextVersion(Bindings held, Instant now) {
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, now);
        return held == null ? micros : Math.max(micros, held.version() + 1);
    }

    private Refused refused(Refused refusal) {
        metrics.refused(refusal.reason());
        return refusal;
    }

    // ---- reads ----

    /** Live bindings of a user of a domain that still exists and still has that user; most preferred first. */
    public List<Binding> bindingsOf(String domain, String user) {
        Optional<Domain> found = tables.domain(domain);
        if (found.isEmpty() || found.get().digestUser(user).isEmpty()) {
            return List.of();
        }
        Bindings held = aors.get(aor(found.get().name(), user));
        // An absent q ranks as 1.0 (the highest); among equals, the latest registered first.
        return live(held, clock.instant()).stream()
                .sorted(Comparator.comparingDouble((Binding b) -> b.q() == null ? 1.0 : b.q()).reversed()
                        .thenComparing(Binding::expiresAt, Comparator.reverseOrder()))
                .toList();
    }

    @Override
    public List<Contact> contactsOf(String domain, String user) {
        return bindingsOf(domain, user).stream().map(b -> new Contact(b.contact(), b.sourceAddress(), b.sourcePort(),
                b.transport(), b.instanceId(), b.expiresAt())).toList();
    }

    /** Seconds left of a binding, rounded up, as the 200's Contact {@code expires} says it. */
    public long secondsLeft(Binding binding) {
        Duration left = Duration.between(clock.instant(), binding.expiresAt());
        long seconds = left.toSeconds() + (left.toNanosPart() > 0 ? 1 : 0);
        return Math.max(0, seconds);
    }

    /** Bindings held now, in all. */
    public int size() {
        return total;
    }
}
