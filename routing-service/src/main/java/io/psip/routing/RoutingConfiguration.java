package io.psip.routing;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.psip.routing.call.ActiveCalls;
import io.psip.routing.call.AdmissionPolicy;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallEventPublisher;
import io.psip.routing.call.CallLifetime;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.call.DestinationPolicy;
import io.psip.routing.call.DigestAuthenticator;
import io.psip.routing.call.OverloadPolicy;
import io.psip.routing.call.RegionalHost;
import io.psip.routing.call.RegisteredUsers;
import io.psip.routing.call.Registrar;
import io.psip.routing.call.RegistrationMetrics;
import io.psip.routing.call.SourceRateLimiter;
import io.psip.routing.messaging.CallCommandListener;
import io.psip.routing.messaging.KafkaActiveCalls;
import io.psip.routing.messaging.KafkaCallEventPublisher;
import io.psip.routing.messaging.KafkaRegistrations;
import io.psip.routing.sip.SipEdge;
import io.psip.routing.sip.SipSettings;
import io.psip.routing.table.Account;
import io.psip.routing.table.RoutingTables;
import io.psip.routing.table.SecretsProperties;
import io.psip.routing.table.TableReaders;
import io.psip.routing.table.TableUpdates;
import io.psip.schemas.Topic;
import io.psip.schemas.Topics;
import io.psip.schemas.crypto.PlatformKey;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.schemas.kafka.TopicReader;
import io.psip.schemas.net.Cidr;
import io.psip.schemas.serde.AvroSerdeConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;

@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    RoutingTables routingTables() {
        return new RoutingTables();
    }

    /** Creates the topics routing uses (if missing) before anything reads or writes them. */
    @Bean
    TopicsReady topicsReady(RoutingProperties properties) {
        new TopicCreator(properties.kafka().bootstrapServers()).create(Topics.DOMAINS.name(),
                Topics.APPLICATIONS.name(), Topics.NUMBERS.name(), Topics.ACCOUNTS.name(), Topics.CALL_EVENTS.name(),
                Topics.callCommands(properties.region()).name(), Topics.activeCalls(properties.region()).name(),
                Topics.registrations(properties.region()).name(), Topics.TABLE_DLQ);
        return new TopicsReady();
    }

    record TopicsReady() {
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    TableReaders tableReaders(RoutingProperties properties, SecretsProperties secrets, RoutingTables tables,
                              TopicsReady topicsReady) {
        PlatformKey key = secrets.readKey();
        return new TableReaders(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers(),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, properties.schemaRegistry().url(),
                ConsumerConfig.CLIENT_ID_CONFIG, "tables-" + properties.instanceId()), properties.instanceId(), tables,
                built -> new TableUpdates(built, key));
    }

    /** Per table: dead letters, whether its reader is stuck (0/1), its lag; and poison commands skipped. */
    @Bean
    MeterBinder tableMetrics(TableReaders readers, CallCommandListener commands) {
        return registry -> {
            for (Topic<?> topic : Topics.configurationTopics()) {
                String name = topic.name();
                Gauge.builder("psip.tables.dead_letters", readers,
                        r -> r.reader(name).map(TopicReader::deadLetters).orElse(0L)).tag("topic", name)
                        .register(registry);
                Gauge.builder("psip.tables.stuck", readers,
                        r -> r.reader(name).filter(t -> t.stuck().isPresent()).isPresent() ? 1 : 0).tag("topic", name)
                        .register(registry);
                Gauge.builder("psip.tables.lag", readers, r -> r.reader(name).map(TopicReader::lag).orElse(0L))
                        .tag("topic", name).register(registry);
            }
            FunctionCounter.builder("psip.commands.skipped", commands, CallCommandListener::skippedCommands)
                    .description("commands that could never be read, skipped").register(registry);
        };
    }

    @Bean
    CallMetrics callMetrics(MeterRegistry registry) {
        return new CallMetrics(registry);
    }

    @Bean
    DigestAuthenticator digestAuthenticator(RoutingProperties properties, Clock clock) throws IOException {
        RoutingProperties.Calls calls = properties.calls();
        return new DigestAuthenticator(digestSecret(calls.digestSecretFile()), clock, calls.nonceLifetime(),
                calls.digestAlgorithms(), calls.noncesPerDomain());
    }

    /** The region's shared nonce key from its file, else a random one for this process alone. */
    static byte[] digestSecret(String file) throws IOException {
        if (file == null || file.isBlank()) {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            return secret;
        }
        byte[] content = Files.readAllBytes(Path.of(file));
        int length = content.length;
        if (length > 0 && content[length - 1] == '\n') {
            length--;
            if (length > 0 && content[length - 1] == '\r') {
                length--;
            }
        }
        if (length < 16) {
            // The key itself is never logged, only that the file cannot hold one.
            throw new IllegalStateException("psip.calls.digest-secret-file " + file + " holds " + length
                    + " bytes, fewer than the 16 a nonce key needs");
        }
        return Arrays.copyOf(content, length);
    }

    @Bean
    AdmissionPolicy admissionPolicy(RoutingProperties properties, RoutingTables tables, DigestAuthenticator digest,
                                    TableReaders readers) {
        return new AdmissionPolicy(new RegionalHost(properties.region(), properties.baseDomain()), tables, digest,
                readers::caughtUp);
    }

    /** Takes REGISTERs once the tables and the region's bindings are read; its timer expires bindings on time. */
    @Bean(initMethod = "start", destroyMethod = "close")
    Registrar registrar(RoutingProperties properties, RoutingTables tables, DigestAuthenticator digest,
                        TableReaders readers, Clock clock, MeterRegistry meters) {
        RoutingProperties.Registration r = properties.sip().registration();
        return new Registrar(new RegionalHost(properties.region(), properties.baseDomain()), tables, digest,
                readers::caughtUp,
                new Registrar.Settings(r.minExpires(), r.maxExpires(), r.defaultExpires(), r.maxContactsPerAor(),
                        r.maxBindingsPerDomain(), r.maxBindings(), properties.sip().transport().idleTimeout()),
                properties.instanceId(), clock, new RegistrationMetrics(meters));
    }

    /** The region's bindings on their compacted topic, read from offset 0 into the registrar. */
    @Bean(initMethod = "start", destroyMethod = "close")
    KafkaRegistrations kafkaRegistrations(RoutingProperties properties, Registrar registrar, TopicsReady topicsReady) {
        return new KafkaRegistrations(Topics.registrations(properties.region()), properties.region(),
                properties.kafka().bootstrapServers(), properties.schemaRegistry(),
                "registrations-" + properties.instanceId(), registrar, registrar.metrics()::notPublished);
    }

    @Bean(destroyMethod = "close")
    KafkaCallEventPublisher callEventPublisher(RoutingProperties properties, CallMetrics metrics,
                                               TopicsReady topicsReady) {
        return new KafkaCallEventPublisher(properties.kafka().bootstrapServers(), properties.schemaRegistry(),
                "call-events-" + properties.instanceId(), metrics::eventNotPublished);
    }

    @Bean(destroyMethod = "close")
    KafkaActiveCalls activeCalls(RoutingProperties properties, CallMetrics metrics, TopicsReady topicsReady) {
        return new KafkaActiveCalls(Topics.activeCalls(properties.region()), properties.kafka().bootstrapServers(),
                properties.schemaRegistry(), "active-calls-" + properties.instanceId(),
                metrics::activeCallNotRecorded);
    }

    /** {@code registrations} is a parameter for the order only: it feeds the registrar before and until the edge. */
    @Bean(initMethod = "start", destroyMethod = "stop")
    SipEdge sipEdge(RoutingProperties properties, AdmissionPolicy admission, CallEventPublisher events,
                    CallMetrics metrics, Clock clock, ActiveCalls activeCalls, RoutingTables tables,
                    Registrar registrar, KafkaRegistrations registrations, @Value("${server.port:8080}") int httpPort) throws UnknownHostException {
        RoutingProperties.Sip sip = properties.sip();
        return new SipEdge(new SipSettings(sip.bindAddress(), advertisedAddress(sip), sip.port(), sip.maxMessageSize(),
                sip.congestionTimeout(), sip.udpReceiveBuffer(), sip.lanes(),
                sip.laneQueue(), properties.calls().commandTimeout(), overloadLimits(sip.overload()), tls(sip),
                outbound(sip, advertisedAddress(sip), httpPort, tables), transport(sip.transport()),
                new CallLifetime(properties.calls().maxDuration(), properties.calls().minSessionExpires())),
                admission, events, metrics, clock,
                new Call.CallOrigin(properties.region(), properties.instanceId()), activeCalls, registrar,
                new RegisteredUsers(new RegionalHost(properties.region(), properties.baseDomain()), tables, registrar,
                        properties.instanceId()));
    }

    /** Drains the edge at shutdown while the command listener and the producers still work. */
    @Bean
    CallDrain callDrain(SipEdge sipEdge, RoutingProperties properties) {
        return new CallDrain(sipEdge, properties.calls().drainTimeout());
    }

    private static OverloadPolicy.Limits overloadLimits(RoutingProperties.Overload overload) {
        return new OverloadPolicy.Limits(overload.maxSipQueueDelay(), overload.maxLaneDelay(),
                overload.maxPendingCommands(), overload.retryAfter());
    }

    /**
     * The policy gets this instance's own SIP and HTTP ports besides the configured ones (a loop otherwise), and
     * its advertised address (behind NAT a public one no interface has) among this host's addresses.
     */
    private static SipSettings.Outbound outbound(RoutingProperties.Sip sip, String advertisedAddress, int httpPort,
                                                 RoutingTables tables) {
        RoutingProperties.Outbound outbound = sip.outbound();
        Set<Integer> platformPorts = new HashSet<>(outbound.platformPorts());
        platformPorts.addAll(List.of(sip.port(), sip.tlsPort()));
        if (httpPort > 0) {
            platformPorts.add(httpPort);
        }
        Set<InetAddress> local = localAddresses();
        Cidr.parseAddress(advertisedAddress).ifPresent(local::add);
        DestinationPolicy policy = new DestinationPolicy(outbound.deny().stream().map(Cidr::parse).toList(),
                outbound.allow().stream().map(Cidr::parse).toList(), platformPorts, local,
                accountId -> tables.account(accountId).filter(Account::restricted).map(Account::destinationAllow));
        String trustStore = outbound.trustStore() == null || outbound.trustStore().isBlank() ? null
                : outbound.trustStore();
        return new SipSettings.Outbound(policy, outbound.resolveTimeout(), outbound.connectTimeout(), trustStore,
                outbound.trustStorePassword(), outbound.trustStoreType(), outbound.trustSelfSigned());
    }

    /** Every address of this host's interfaces: the platform's ports are refused on all of them. */
    private static Set<InetAddress> localAddresses() {
        Set<InetAddress> addresses = new HashSet<>();
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                addresses.addAll(Collections.list(nic.getInetAddresses()));
            }
        } catch (SocketException e) {
            throw new IllegalStateException("cannot list this host's addresses", e);
        }
        return addresses;
    }

    private static SipSettings.Transport transport(RoutingProperties.Transport transport) {
        return new SipSettings.Transport(transport.idleTimeout(), transport.readTimeout(),
                transport.tlsHandshakeTimeout(), transport.maxConnections(), transport.maxConnectionsPerSource(),
                new SourceRateLimiter.Limits(transport.rateLimit(), transport.rateBurst(),
                        transport.rateLimitSources()));
    }

    private static SipSettings.Tls tls(RoutingProperties.Sip sip) {
        RoutingProperties.Tls tls = sip.tls();
        if (tls.keyStore() == null || tls.keyStore().isBlank()) {
            return null;
        }
        return new SipSettings.Tls(sip.tlsPort(), tls.keyStore(),
                tls.keyStorePassword() == null ? "" : tls.keyStorePassword(), tls.keyStoreType());
    }

    private static String advertisedAddress(RoutingProperties.Sip sip) throws UnknownHostException {
        if (sip.advertisedAddress() != null && !sip.advertisedAddress().isBlank()) {
            return sip.advertisedAddress();
        }
        InetAddress bind = InetAddress.getByName(sip.bindAddress());
        return bind.isAnyLocalAddress() ? InetAddress.getLocalHost().getHostAddress() : sip.bindAddress();
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    CallCommandListener callCommandListener(RoutingProperties properties, SipEdge sipEdge, TopicsReady topicsReady) {
        return new CallCommandListener(Topics.callCommands(properties.region()), properties.instanceId(),
                properties.kafka().bootstrapServers(), properties.schemaRegistry().url(), sipEdge);
    }

    @Bean
    RoutingReadiness routingHealthIndicator(TableReaders readers, RoutingTables tables, SipEdge sipEdge,
                                            CallCommandListener commands, KafkaRegistrations registrations,
                                            Registrar registrar) {
        return new RoutingReadiness(readers, tables, sipEdge, commands, registrations::caughtUp, registrar::size);
    }
}
