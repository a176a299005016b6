package io.psip.voice.config;

import io.psip.voice.application.ApplicationKeys;
import io.psip.voice.auth.ReplayGuard;
import io.psip.voice.auth.TokenVerifier;
import io.psip.voice.calls.CallCommands;
import io.psip.voice.calls.CallControl;
import io.psip.voice.calls.CallRecords;
import io.psip.voice.persistence.JdbcCallRecords;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import java.time.Clock;

/** The Voice API's domain objects and their adapters. */
@Configuration(proxyBeanMethods = false)
public class VoiceConfiguration {

    @Bean
    TokenVerifier tokenVerifier(ApplicationKeys applicationKeys, VoiceProperties properties) {
        VoiceProperties.Voice voice = properties.voice();
        return new TokenVerifier(applicationKeys, new ReplayGuard(voice.maxTrackedTokens()),
                voice.maxTokenLifetime(), voice.defaultTokenLifetime(), voice.clockSkew(), Clock.systemUTC());
    }

    @Bean
    CallRecords callRecords(NamedParameterJdbcTemplate jdbc) {
        return new JdbcCallRecords(jdbc);
    }

    @Bean
    CallControl callControl(CallRecords callRecords, CallCommands callCommands) {
        return new CallControl(callRecords, callCommands, Clock.systemUTC());
    }
}
