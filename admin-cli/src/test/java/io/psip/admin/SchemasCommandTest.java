package io.psip.admin;

import io.psip.registry.DevSchemaRegistry;
import io.psip.schemas.Topics;
import io.psip.schemas.registry.SchemaCatalog;
import io.psip.schemas.registry.SchemaRegistryClient;
import io.psip.testsupport.TestKafka;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static io.psip.admin.AdminHttp.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code schemas check} and {@code schemas register} against the real dev registry (on the embedded broker), as
 * an operator runs them before rolling out producers: check, register, check again; and a subject whose latest
 * registered version this build's schema cannot read is refused by both (exit 1, the registry's 409).
 */
class SchemasCommandTest {

    @Test
    void checkRegisterAndCheckAgain() throws Exception {
        String registry = TestKafka.registryUrl();
        int subjects = SchemaCatalog.current().size();

        Cli fresh = Cli.run("schemas", "check", "--registry", registry);
        assertThat(fresh.exit()).as(fresh.err()).isZero();
        assertThat(fresh.out()).contains(subjects + " subject(s) checked against " + registry + ": all compatible");

        Cli register = Cli.run("schemas", "register", "--registry", registry, "--json");
        assertThat(register.exit()).as(register.err()).isZero();
        SchemaRegistryClient client = new SchemaRegistryClient(registry);
        String numbers = Topics.NUMBERS.valueSubject();
        int id = JSON.readTree(register.out()).get("registered").get(numbers).asInt();
        assertThat(id).isEqualTo(client.latest(numbers).id());
        assertThat(JSON.readTree(register.out()).get("registered").size()).isEqualTo(subjects);

        Cli again = Cli.run("schemas", "check", "--registry", registry);
        assertThat(again.exit()).isZero();
        assertThat(again.out()).containsPattern("(?m)^" + numbers.replace(".", "\\.") + " +compatible$");
    }

    @Test
    void aSubjectWhoseLatestVersionThisBuildCannotReadIsRefusedByCheckAndByRegister() {
        // a registry of its own: this one's subject is left refusing this build's schema
        try (DevSchemaRegistry own = DevSchemaRegistry.start(TestKafka.bootstrapServers(), "127.0.0.1", 0,
                "_schemas-cli-" + UUID.randomUUID())) {
            await().atMost(Duration.ofSeconds(60)).until(own::ready);
            SchemaRegistryClient client = new SchemaRegistryClient(own.url());
            String numbers = Topics.NUMBERS.valueSubject();
            Schema current = SchemaCatalog.current().stream().filter(e -> e.subject().equals(numbers)).findFirst()
                    .orElseThrow().schema();
            // a version with none of the fields this build's NumberChanged needs (and has no defaults for)
            client.register(numbers, SchemaBuilder.record(current.getName()).namespace(current.getNamespace())
                    .fields().endRecord());
            // the dev registry applies a registration when it reads it back from its topic
            await().atMost(Duration.ofSeconds(20)).until(() -> client.versions(numbers).size() == 1);

            Cli check = Cli.run("schemas", "check", "--registry", own.url());
            assertThat(check.exit()).isEqualTo(1);
            assertThat(check.out()).containsPattern("(?m)^" + numbers.replace(".", "\\.") + " +INCOMPATIBLE$")
                    .contains("1 incompatible");
            assertThat(check.err()).contains("the registry would refuse: " + numbers);

            Cli register = Cli.run("schemas", "register", "--registry", own.url());
            assertThat(register.exit()).isEqualTo(1);
            assertThat(register.err()).contains("refused: schema registry " + own.url()).contains("409");
        }
    }
}
