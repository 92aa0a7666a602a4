package io.tocsin.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.tocsin.events.NotificationTarget.Channel;

class NotificationTargetTest {

    @Test
    void itsPrintedFormHidesRoutingKeysAndWebhookSecrets() {
        assertThat(new NotificationTarget(Channel.PAGERDUTY, "R0123456789abcdef0123456789abcdef"))
                .hasToString("pagerduty:R012…");
        assertThat(new NotificationTarget(Channel.WEBHOOK, "https://user:pw@hooks.example.com:8443/T0/B1/sEcReT?x=1"))
                .hasToString("webhook:https://hooks.example.com:8443/…");
        assertThat(new NotificationTarget(Channel.WEBHOOK, "not a url")).hasToString("webhook:(not a URL)");
        assertThat(new NotificationTarget(Channel.SLACK, "#db-oncall")).hasToString("slack:#db-oncall");
        assertThat(new NotificationTarget(Channel.EMAIL, "")).hasToString("email:(not configured)");
    }
}
