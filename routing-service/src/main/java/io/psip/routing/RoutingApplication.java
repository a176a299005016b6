package io.psip.routing;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class RoutingApplication {

    public static void main(String[] args) {
        try {
            SpringApplication.run(RoutingApplication.class, args);
        } catch (Throwable failed) {
            // Spring has logged the failure and closed the context, but JAIN-SIP leaves a non-daemon thread
            // (EventScannerThread) even after its stack is stopped: exit, or a failed start never ends the JVM.
            System.exit(1);
        }
    }
}
