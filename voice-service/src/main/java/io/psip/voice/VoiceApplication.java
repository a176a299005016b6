package io.psip.voice;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class VoiceApplication {

    public static void main(String[] args) {
        try {
            SpringApplication.run(VoiceApplication.class, args);
        } catch (Throwable failed) {
            // Spring has logged the failure and closed the context; exit so that no thread a library left running
            // keeps a process that serves nothing alive.
            System.exit(1);
        }
    }
}
