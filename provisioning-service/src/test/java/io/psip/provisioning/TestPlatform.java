package io.psip.provisioning;

import io.psip.testsupport.TestKafka;
import kafka.server.BrokerServer;

/**
 * Stops and starts the shared test broker ({@link TestKafka}) in place, for the outbox failure test: it listens on
 * a fixed port and keeps its data, so clients reconnect to the same broker.
 */
public final class TestPlatform {

    private TestPlatform() {
    }

    /** Stops the broker process-in-JVM, keeping its log directory. */
    public static void stopBroker() {
        TestKafka.broker().getCluster().brokers().values().forEach(BrokerServer::shutdown);
        TestKafka.broker().getCluster().brokers().values().forEach(BrokerServer::awaitShutdown);
    }

    /** Starts the stopped broker again on the same port with the same data. */
    public static void startBroker() {
        TestKafka.broker().getCluster().brokers().values().forEach(BrokerServer::startup);
    }
}
