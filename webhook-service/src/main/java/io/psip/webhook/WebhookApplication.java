package io.psip.webhook;

import io.psip.webhook.http.JdkWebhookHttp;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class WebhookApplication {

    public static void main(String[] args) {
        // The JDK HttpClient completes every response on the common pool; on 2 cores that pool has parallelism 1,
        // and CompletableFuture then starts a new thread per completion. Too late if a Java agent has already
        // loaded CompletableFuture: then only the JVM flag helps, and JdkWebhookHttp warns.
        defaultProperty(JdkWebhookHttp.COMMON_POOL_PARALLELISM,
                Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors())));
        // JDK 17's HttpClient keeps idle connections 1200 s in an unbounded pool, and every request walks the
        // pool's expiry list (a linked list) to return or take its connection: after a burst, or across many
        // customers, that walk was 7% of the service's profile samples. Read once, when the client first loads.
        defaultProperty("jdk.httpclient.keepalive.timeout", "30");
        defaultProperty("jdk.httpclient.connectionPoolSize", "256");
        try {
            SpringApplication.run(WebhookApplication.class, args);
        } catch (Throwable failed) {
            // Spring has logged the failure and closed the context; exit so that no thread a library left running
            // keeps a process that serves nothing alive.
            System.exit(1);
        }
    }

    /** Sets a JVM-wide setting unless the command line did. */
    private static void defaultProperty(String name, String value) {
        if (System.getProperty(name) == null) {
            System.setProperty(name, value);
        }
    }
}
