package io.psip.routing;

import io.micrometer.core.instrument.MeterRegistry;
import io.psip.routing.call.AdmissionPolicy;
import io.psip.routing.call.Call;
import io.psip.routing.call.CallEventPublisher;
import io.psip.routing.call.CallMetrics;
import io.psip.routing.call.DigestAuthenticator;
import io.psip.routing.call.OverloadPolicy;
import io.psip.routing.call.RegionalHost;
import io.psip.routing.call.SourceRateLimiter;
import io.psip.routing.messaging.CallCommandListener;
import io.psip.routing.messaging.KafkaCallEventPublisher;
import io.psip.routing.sip.SipEdge;
import io.psip.routing.sip.SipSettings;
import io.psip.routing.table.RoutingTables;
import io.psip.routing.table.TableReaders;
import io.psip.routing.table.TableUpdates;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.TopicCreator;
import io.psip.schemas.serde.AvroSerdeConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;

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
                Topics.APPLICATIONS.name(), Topics.NUMBERS.name(), Topics.CALL_EVENTS.name(),
                Topics.callCommands(properties.region()).name());
        return new TopicsReady();
    }

    record TopicsReady() {
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    TableReaders tableReaders(RoutingProperties properties, RoutingTables tables, TopicsReady topicsReady) {
        return new TableReaders(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers(),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, properties.schemaRegistry().url(),
                ConsumerConfig.CLIENT_ID_CONFIG, "tables-" + properties.instanceId()), new TableUpdates(tables));
    }

    @Bean
    CallMetrics callMetrics(MeterRegistry registry) {
        return new CallMetrics(registry);
    }

    @Bean
    DigestAuthenticator digestAuthenticator(RoutingProperties properties, Clock clock) {
        String configured = properties.calls().digestSecret();
        byte[] secret;
        if (configured == null || configured.isBlank()) {
            secret = new byte[32];
            new SecureRandom().nextBytes(secret);
        } else {
            secret = configured.getBytes(StandardCharsets.UTF_8);
        }
        return new DigestAuthenticator(secret, clock, properties.calls().nonceLifetime(),
                properties.calls().digestAlgorithms());
    }

    @Bean
    AdmissionPolicy admissionPolicy(RoutingProperties properties, RoutingTables tables, DigestAuthenticator digest,
                                    TableReaders readers) {
        return new AdmissionPolicy(new RegionalHost(properties.region(), properties.baseDomain()), tables, digest,
                readers::caughtUp);
    }

    @Bean(destroyMethod = "close")
    KafkaCallEventPublisher callEventPublisher(RoutingProperties properties, CallMetrics metrics,
                                               TopicsReady topicsReady) {
        return new KafkaCallEventPublisher(properties.kafka().bootstrapServers(), properties.schemaRegistry().url(),
                "call-events-" + properties.instanceId(), metrics::eventNotPublished);
    }

    @Bean(initMethod = "start", destroyMethod = "stop")
    SipEdge sipEdge(RoutingProperties properties, AdmissionPolicy admission, CallEventPublisher events,
                    CallMetrics metrics, Clock clock) throws UnknownHostException {
        RoutingProperties.Sip sip = properties.sip();
        return new SipEdge(new SipSettings(sip.bindAddress(), advertisedAddress(sip), sip.port(), sip.maxMessageSize(),
                sip.congestionTimeout(), sip.udpReceiveBuffer(), sip.lanes(),
                sip.laneQueue(), properties.calls().commandTimeout(), overloadLimits(sip.overload()), tls(sip),
                transport(sip.transport())),
                admission, events, metrics, clock,
                new Call.CallOrigin(properties.region(), properties.instanceId()));
    }

    private static OverloadPolicy.Limits overloadLimits(RoutingProperties.Overload overload) {
        return new OverloadPolicy.Limits(overload.maxSipQueueDelay(), overload.maxLaneDelay(),
                overload.maxPendingCommands(), overload.retryAfter());
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
                                            CallCommandListener commands) {
        return new RoutingReadiness(readers, tables, sipEdge, commands);
    }
}
