package io.psip.webhook.answer;

import io.psip.webhook.signing.CallbackSigner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Until the signing configuration provides a {@link CallbackSigner}, webhook requests go unsigned. */
@Configuration(proxyBeanMethods = false)
class UnsignedCallbacksConfiguration {

    @Bean
    @ConditionalOnMissingBean(CallbackSigner.class)
    CallbackSigner callbackSigner() {
        return CallbackSigner.NEVER;
    }
}
