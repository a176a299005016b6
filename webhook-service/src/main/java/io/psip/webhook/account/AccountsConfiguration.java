package io.psip.webhook.account;

import io.psip.events.AccountChanged;
import io.psip.schemas.Topics;
import io.psip.schemas.kafka.CompactedTopicReader;
import io.psip.webhook.messaging.TableHealthIndicator;
import io.psip.schemas.serde.AvroSerdeConfig;
import io.psip.webhook.config.PsipProperties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;

import java.util.Map;

/** The accounts table (API keys and signature secrets, for signed callbacks) and its reader of psip.accounts. */
@Configuration(proxyBeanMethods = false)
public class AccountsConfiguration {

    @Bean
    AccountTable accountTable(SecretsProperties secrets) {
        return new AccountTable(secrets.readKey());
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    @DependsOn("topicCreator")
    CompactedTopicReader<AccountChanged> accountsReader(PsipProperties properties, AccountTable table) {
        return new CompactedTopicReader<>(Topics.ACCOUNTS, "webhook-service", Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers(),
                AvroSerdeConfig.SCHEMA_REGISTRY_URL, properties.schemaRegistry().url(),
                ConsumerConfig.CLIENT_ID_CONFIG, "webhook-service-accounts"), table::apply);
    }

    @Bean
    TableHealthIndicator accountTableHealthIndicator(CompactedTopicReader<AccountChanged> accountsReader,
                                                     AccountTable table) {
        return new TableHealthIndicator(accountsReader, "accounts", table::size, table::maxVersion);
    }
}
