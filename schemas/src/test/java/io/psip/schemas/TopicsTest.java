package io.psip.schemas;

import io.psip.events.ActiveCall;
import io.psip.events.CallCommand;
import io.psip.events.DomainChanged;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicsTest {

    @Test
    void findsTopicsByName() {
        assertThat(Topics.forName("psip.domains")).isSameAs(Topics.DOMAINS);
        assertThat(Topics.forName("psip.domains").valueType()).isEqualTo(DomainChanged.class);
        assertThat(Topics.forName("psip.call-commands.eu").valueType()).isEqualTo(CallCommand.class);
        assertThat(Topics.forName("psip.call-commands.ap")).isEqualTo(Topics.callCommands("ap"));
        assertThat(Topics.forName("psip.active-calls.eu")).isEqualTo(Topics.activeCalls("eu"));
        assertThat(Topics.activeCalls("eu").valueType()).isEqualTo(ActiveCall.class);
        assertThat(Topics.activeCalls("eu").compacted()).isTrue();
        assertThat(Topics.forName("psip.registrations.ap")).isEqualTo(Topics.registrations("ap"));
        assertThat(Topics.registrations("ap").compacted()).isTrue();
    }

    @Test
    void rejectsUnknownNames() {
        assertThatThrownBy(() -> Topics.forName("psip.call-commands.mars")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Topics.forName("psip.active-calls.mars")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Topics.forName(Topics.WEBHOOK_DLQ)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Topics.forName(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
