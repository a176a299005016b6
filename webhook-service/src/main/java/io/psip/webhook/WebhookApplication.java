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
        if (System.getProperty(JdkWebhookHttp.COMMON_POOL_PARALLELISM) == null) {
            System.setProperty(JdkWebhookHttp.COMMON_POOL_PARALLELISM,
                    Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors())));
        }
        try {
            SpringApplication.run(WebhookApplication.class, args);
        } catch (Throwable failed) {
            // Spring has logged the failure and closed the context; exit so that no thread a library left running
            // keeps a process that serves nothing alive.
            System.exit(1);
        }
    }
}
