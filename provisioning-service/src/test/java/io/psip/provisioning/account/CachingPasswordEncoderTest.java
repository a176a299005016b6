package io.psip.provisioning.account;

import org.junit.jupiter.api.Test;
import org.springframework.security.crypto.password.PasswordEncoder;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class CachingPasswordEncoderTest {

    /** Stands in for bcrypt: "hash:<secret>", and counts the expensive checks. */
    private static final class CountingEncoder implements PasswordEncoder {
        final AtomicInteger checks = new AtomicInteger();

        @Override
        public String encode(CharSequence raw) {
            return "hash:" + raw;
        }

        @Override
        public boolean matches(CharSequence raw, String encoded) {
            checks.incrementAndGet();
            return encoded.equals("hash:" + raw);
        }
    }

    @Test
    void aVerifiedSecretIsCheckedOnceWhileWrongOrRotatedSecretsAlwaysAre() {
        CountingEncoder slow = new CountingEncoder();
        CachingPasswordEncoder encoder = new CachingPasswordEncoder(slow, Duration.ofMinutes(5));
        String stored = encoder.encode("s3cret");

        assertThat(encoder.matches("s3cret", stored)).isTrue();
        assertThat(encoder.matches("s3cret", stored)).isTrue();
        assertThat(slow.checks).hasValue(1);

        assertThat(encoder.matches("wrong", stored)).isFalse();
        assertThat(encoder.matches("wrong", stored)).isFalse();
        assertThat(slow.checks).hasValue(3);

        String rotated = encoder.encode("n3w");
        assertThat(encoder.matches("s3cret", rotated)).isFalse();
        assertThat(encoder.matches("n3w", rotated)).isTrue();
        assertThat(slow.checks).hasValue(5);
    }

    @Test
    void entriesExpire() {
        CountingEncoder slow = new CountingEncoder();
        CachingPasswordEncoder encoder = new CachingPasswordEncoder(slow, Duration.ZERO);
        String stored = encoder.encode("s3cret");
        assertThat(encoder.matches("s3cret", stored)).isTrue();
        assertThat(encoder.matches("s3cret", stored)).isTrue();
        assertThat(slow.checks).hasValue(2);
    }
}
