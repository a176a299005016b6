package io.psip.provisioning.domain;

import io.psip.provisioning.InvalidRequestException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DomainValidatorTest {

    private static final String APP = UUID.randomUUID().toString();

    @Test
    void fillsDefaultsAndNormalises() {
        DomainValidator.Spec spec = DomainValidator.validate(
                new DomainJson.Request("MyDomain", APP, List.of("10.0.0.7/24", "::1"), null, null, null, null, null), null);
        assertThat(spec.name()).isEqualTo("mydomain");
        assertThat(spec.acl()).containsExactly("10.0.0.0/24", "::1/128");
        assertThat(spec.tls()).isEqualTo("optional");
        assertThat(spec.srtp()).isEqualTo("optional");
        assertThat(spec.digestAuth()).isFalse();
        assertThat(spec.domainType()).isEqualTo("app");
        assertThat(spec.maxConcurrentCalls()).isNull();
    }

    @Test
    void reportsEveryOffendingFieldAtOnce() {
        assertThatThrownBy(() -> DomainValidator.validate(new DomainJson.Request("a_b", "x", List.of("1.2.3.4", "nope"),
                "maybe", "maybe", true, "pbx", -1), null))
                .isInstanceOf(InvalidRequestException.class)
                .extracting(e -> ((InvalidRequestException) e).invalidParameters().stream().map(p -> p.name()).toList())
                .isEqualTo(List.of("name", "application_id", "acl[1]", "tls", "srtp", "domain_type", "max_concurrent_calls"));
    }

    @Test
    void putTakesTheNameFromThePathAndRejectsAnother() {
        assertThat(DomainValidator.validate(new DomainJson.Request(null, APP, List.of("1.2.3.4"), null, null, null, null, null),
                "fromPath").name()).isEqualTo("frompath");
        assertThatThrownBy(() -> DomainValidator.validate(
                new DomainJson.Request("another", APP, List.of("1.2.3.4"), null, null, null, null, null), "fromPath"))
                .isInstanceOf(InvalidRequestException.class);
    }
}
