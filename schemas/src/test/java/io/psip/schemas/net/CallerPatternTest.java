package io.psip.schemas.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class CallerPatternTest {

    @Test
    void normalFormsDropThePlus() {
        assertThat(CallerPattern.parse("+442079460000")).hasToString("442079460000");
        assertThat(CallerPattern.parse("442079460000")).hasToString("442079460000");
        assertThat(CallerPattern.parse("+4420*")).hasToString("4420*");
        assertThat(CallerPattern.parse("1*")).hasToString("1*");
        assertThat(CallerPattern.parse("1234567")).hasToString("1234567");
        assertThat(CallerPattern.parse("123456789012345")).hasToString("123456789012345");
        assertThat(CallerPattern.parse("12345678901234*")).hasToString("12345678901234*");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "*", "+", "+*", "123456", "1234567890123456", "123456789012345*", "0442079460000",
            "0*", "++44*", "44**", "4*4", "*44", "44 20*", " 442079460000", "442079460000 ", "+44-20-7946-0000",
            "4420794600x0", "alice", "sip:442079460000@example.com", "[0-9]*", "44?", "\uff14\uff14*", "٤٤*"})
    void rejectsWhatIsNotAPattern(String entry) {
        assertThatIllegalArgumentException().isThrownBy(() -> CallerPattern.parse(entry));
    }

    @Test
    void aNumberMatchesOnlyItself() {
        CallerPattern number = CallerPattern.parse("+442079460000");
        assertThat(number.matches("442079460000")).isTrue();
        assertThat(number.matches("4420794600001")).isFalse();
        assertThat(number.matches("44207946000")).isFalse();
    }

    @Test
    void aPrefixMatchesEveryNumberThatStartsWithIt() {
        CallerPattern prefix = CallerPattern.parse("+4420*");
        assertThat(prefix.matches("442079460000")).isTrue();
        assertThat(prefix.matches("4420")).isTrue();
        assertThat(prefix.matches("4421794600")).isFalse();
        assertThat(prefix.matches("14420794600")).isFalse();
    }
}
