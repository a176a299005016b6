package io.psip.provisioning.domain;

import io.psip.provisioning.InvalidRequestException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DomainValidatorTest {

    private static final String APP = UUID.randomUUID().toString();

    @Test
    void fillsDefaultsAndNormalises() {
        DomainValidator.Spec spec = DomainValidator.validate(
                new DomainJson.Request("MyDomain", APP, List.of("10.0.0.7/24", "::1"), null, null, null, null, null, null), null);
        assertThat(spec.name()).isEqualTo("mydomain");
        assertThat(spec.acl()).containsExactly("10.0.0.0/24", "::1/128");
        assertThat(spec.tls()).isEqualTo("optional");
        assertThat(spec.srtp()).isEqualTo("optional");
        assertThat(spec.digestAuth()).isFalse();
        assertThat(spec.domainType()).isEqualTo("app");
        assertThat(spec.maxConcurrentCalls()).isNull();
        assertThat(spec.allowedCallers()).as("any caller").isEmpty();
    }

    @Test
    void reportsEveryOffendingFieldAtOnce() {
        assertThatThrownBy(() -> DomainValidator.validate(new DomainJson.Request("a_b", "x", List.of("1.2.3.4", "nope"),
                "maybe", "maybe", true, "pbx", -1, List.of("4420*", "44*20")), null))
                .isInstanceOf(InvalidRequestException.class)
                .extracting(e -> ((InvalidRequestException) e).invalidParameters().stream().map(p -> p.name()).toList())
                .isEqualTo(List.of("name", "application_id", "acl[1]", "allowed_callers[1]", "tls", "srtp", "domain_type", "max_concurrent_calls"));
    }

    @Test
    void putTakesTheNameFromThePathAndRejectsAnother() {
        assertThat(DomainValidator.validate(new DomainJson.Request(null, APP, List.of("1.2.3.4"), null, null, null, null, null,
                null), "fromPath").name()).isEqualTo("frompath");
        assertThatThrownBy(() -> DomainValidator.validate(
                new DomainJson.Request("another", APP, List.of("1.2.3.4"), null, null, null, null, null, null), "fromPath"))
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void allowedCallersAreNormalisedNumbersAndPrefixesWithoutDuplicates() {
        DomainValidator.Spec spec = DomainValidator.validate(new DomainJson.Request("mydomain", APP, List.of("1.2.3.4"),
                null, null, null, null, null, List.of("+442079460000", "4420*", "+1*", "15551234567")), null);
        assertThat(spec.allowedCallers()).containsExactly("442079460000", "4420*", "1*", "15551234567");

        assertThat(invalid(List.of("4420*", "+4420*"))).containsExactly("allowed_callers[1]: duplicates 4420*");
        assertThat(invalid(List.of("442079460000", "+442079460000")))
                .containsExactly("allowed_callers[1]: duplicates 442079460000");
        assertThat(invalid(Arrays.asList("", "44 20*", null, "*", "0207946000", "alice")))
                .hasSize(6).allSatisfy(reason -> assertThat(reason).startsWith("allowed_callers["));
        List<String> tooMany = IntStream.range(0, 101).mapToObj(i -> "44" + (1_000_000 + i)).toList();
        assertThat(invalid(tooMany)).containsExactly("allowed_callers: must list at most 100 caller numbers or prefixes");
        List<String> hundred = tooMany.subList(0, 100);
        assertThat(DomainValidator.validate(new DomainJson.Request("mydomain", APP, List.of("1.2.3.4"), null, null,
                null, null, null, hundred), null).allowedCallers()).hasSize(100);
    }

    private static List<String> invalid(List<String> allowedCallers) {
        try {
            DomainValidator.validate(new DomainJson.Request("mydomain", APP, List.of("1.2.3.4"), null, null, null, null,
                    null, allowedCallers), null);
            throw new AssertionError("accepted " + allowedCallers);
        } catch (InvalidRequestException e) {
            return e.invalidParameters().stream().map(p -> p.name() + ": " + p.reason()).toList();
        }
    }
}
