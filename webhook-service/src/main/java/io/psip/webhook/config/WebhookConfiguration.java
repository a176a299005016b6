package io.psip.webhook.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.psip.webhook.answer.AnswerService;
import io.psip.webhook.application.ApplicationTable;
import io.psip.webhook.events.CallCommandPublisher;
import io.psip.webhook.events.CallEventHandler;
import io.psip.webhook.events.CallLanes;
import io.psip.webhook.events.DeadLetters;
import io.psip.webhook.events.EventUrlDelivery;
import io.psip.webhook.delivery.Backoff;
import io.psip.webhook.delivery.DeliveryHistory;
import io.psip.webhook.delivery.DeliveryLog;
import io.psip.webhook.http.ApacheWebhookHttp;
import io.psip.webhook.http.RequestSigner;
import io.psip.webhook.messaging.DeliveryProperties;
import io.psip.webhook.http.WebhookHttp;
import io.psip.webhook.ncco.NccoParser;
import io.psip.webhook.signing.CallbackSigner;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Wires the framework-free call handling; Kafka adapters live in the messaging package. */
@Configuration(proxyBeanMethods = false)
public class WebhookConfiguration {

    @Bean(destroyMethod = "shutdownNow")
    ExecutorService webhookExecutor(PsipProperties properties) {
        AtomicInteger count = new AtomicInteger();
        return Executors.newFixedThreadPool(properties.webhook().threads(), task -> {
            Thread thread = new Thread(task, "webhook-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @Bean
    ApplicationTable applicationTable() {
        return new ApplicationTable();
    }

    @Bean
    ApacheWebhookHttp webhookHttp(JsonMapper json, ExecutorService webhookExecutor, WebhookHttpProperties http,
                                  MeterRegistry meters) {
        return new ApacheWebhookHttp(json, webhookExecutor, new ApacheWebhookHttp.Settings("psip-webhook/1.0",
                http.allowedNetworks(), http.platformPorts(), http.maxInFlightPerHost(), http.maxConnections(), http.lookupThreads()),
                meters);
    }

    @Bean
    AnswerService answerService(WebhookHttp http, JsonMapper json, CallbackSigner callbackSigner,
                                MeterRegistry meters) {
        return new AnswerService(http, new NccoParser(json), callbackSigner, meters, Clock.systemUTC());
    }

    @Bean
    EventUrlDelivery eventUrlDelivery(WebhookHttp http, DeadLetters deadLetters, DeliveryLog deliveryLog,
                                      DeliveryHistory deliveryHistory, ApplicationTable applications,
                                      CallbackSigner signer, JsonMapper json,
                                      MeterRegistry meters, ExecutorService webhookExecutor,
                                      PsipProperties properties, DeliveryProperties delivery) {
        PsipProperties.EventRetry retry = properties.webhook().eventRetry();
        // Sends have lanes of their own: a call retrying its event_url holds back its own later posts, but not
        // the handling (and so the commit) of its later events, nor the handler's count of active calls.
        return new EventUrlDelivery(http, deadLetters, deliveryLog, deliveryHistory, new CallLanes(webhookExecutor),
                new EventUrlDelivery.RetryPolicy(retry.maxAttempts(),
                        new Backoff(retry.initialBackoff(), retry.maxBackoff()), delivery.logRetention()),
                applicationId -> applications.find(applicationId).map(signer::forApplication)
                        .orElse(RequestSigner.UNSIGNED),
                json, meters, webhookExecutor, Clock.systemUTC());
    }

    @Bean
    CallLanes callLanes(ExecutorService webhookExecutor, MeterRegistry meters) {
        CallLanes lanes = new CallLanes(webhookExecutor);
        meters.gauge("psip.webhook.active_calls", lanes, CallLanes::activeCalls);
        return lanes;
    }

    /**
     * On shutdown, after the bindings have stopped taking events (they stop in a later phase), lets the calls in
     * progress finish their webhooks and commands before the executor and producers go away.
     */
    @Bean
    SmartLifecycle callLanesDrain(CallLanes lanes, PsipProperties properties) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                running = true;
            }

            @Override
            public void stop() {
                running = false;
                if (!lanes.awaitIdle(properties.webhook().shutdownGrace())) {
                    LoggerFactory.getLogger(WebhookConfiguration.class)
                            .warn("stopping with {} calls still in progress", lanes.activeCalls());
                }
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            @Override
            public int getPhase() {
                return 0;
            }
        };
    }

    @Bean
    CallEventHandler callEventHandler(ApplicationTable applications, AnswerService answers,
                                      EventUrlDelivery eventUrlDelivery, CallCommandPublisher commands,
                                      CallLanes lanes, ExecutorService webhookExecutor, PsipProperties properties,
                                      MeterRegistry meters) {
        PsipProperties.Webhook webhook = properties.webhook();
        return new CallEventHandler(applications, answers, eventUrlDelivery, commands, lanes,
                new CallEventHandler.Settings(webhook.regionUrl(), webhook.applicationWait(), webhook.answerDeadline(),
                        webhook.maxOfferAge(), webhook.callStateTtl(), webhook.maxActiveCalls()),
                Clock.systemUTC(), webhookExecutor, meters);
    }
}
