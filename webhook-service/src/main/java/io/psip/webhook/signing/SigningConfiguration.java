package io.psip.webhook.signing;

import io.psip.webhook.account.AccountTable;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

@Configuration(proxyBeanMethods = false)
public class SigningConfiguration {

    @Bean
    CallbackSigner callbackSigner(AccountTable accountTable) {
        return new JwtCallbackSigner(accountTable, Clock.systemUTC());
    }
}
