package io.psip.provisioning.application;

import io.psip.provisioning.InvalidRequestException;
import io.psip.provisioning.application.ApplicationJson.Capabilities;
import io.psip.provisioning.application.ApplicationJson.Voice;
import io.psip.provisioning.application.ApplicationJson.WebhookJson;
import io.psip.provisioning.application.ApplicationJson.Webhooks;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApplicationValidatorTest {

    @Test
    void appliesVonageDefaultsPerWebhook() {
        WebhookJson bare = new WebhookJson("https://example.com/x", null, null, null);
        ApplicationValidator.Spec spec = ApplicationValidator.validate(new ApplicationJson.Request("app", null,
                new Capabilities(new Voice(new Webhooks(bare, bare, bare), null))));
        assertThat(spec.answerUrl()).isEqualTo(new Webhook("https://example.com/x", "GET", 1000, 5000));
        assertThat(spec.fallbackAnswerUrl()).isEqualTo(new Webhook("https://example.com/x", "GET", 1000, 5000));
        assertThat(spec.eventUrl()).isEqualTo(new Webhook("https://example.com/x", "POST", 1000, 10000));
        assertThat(spec.signedCallbacks()).isFalse();
    }

    @Test
    void anApplicationWithoutVoiceIsValid() {
        ApplicationValidator.Spec spec = ApplicationValidator.validate(new ApplicationJson.Request("  named  ", null, null));
        assertThat(spec.name()).isEqualTo("named");
        assertThat(spec.answerUrl()).isNull();
    }

    @Test
    void rejectsAddressesThatAreNotAbsoluteHttpUrls() {
        for (String address : new String[]{"example.com/answer", "mailto:a@b.c", "http://", "https://user:pw@example.com/a", "http://exa mple.com"}) {
            WebhookJson hook = new WebhookJson(address, "GET", null, null);
            assertThatThrownBy(() -> ApplicationValidator.validate(new ApplicationJson.Request("app", null,
                    new Capabilities(new Voice(new Webhooks(hook, null, null), true)))))
                    .as(address).isInstanceOf(InvalidRequestException.class);
        }
    }
}
