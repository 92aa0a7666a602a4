package io.tocsin.notifier.domain;

import io.tocsin.events.NotificationTarget.Channel;

/** What one delivery sends. */
public enum DeliveryAction {
    /** The incident's root message in a Slack channel, with its buttons. */
    SLACK_POST("slack.post", Channel.SLACK, false),
    /** A new incident folded into its channel's storm digest: never claimed, the digest message announces it. */
    SLACK_DIGEST("slack.digest", Channel.SLACK, false),
    /** A reply in the root message's thread. */
    SLACK_REPLY("slack.reply", Channel.SLACK, false),
    PAGERDUTY_TRIGGER("pagerduty.trigger", Channel.PAGERDUTY, true),
    PAGERDUTY_ACKNOWLEDGE("pagerduty.acknowledge", Channel.PAGERDUTY, true),
    PAGERDUTY_RESOLVE("pagerduty.resolve", Channel.PAGERDUTY, true),
    EMAIL_SEND("email.send", Channel.EMAIL, false),
    /** Receivers can drop repeats by the {@code X-Tocsin-Delivery} header, so a resend is safe. */
    WEBHOOK_POST("webhook.post", Channel.WEBHOOK, true),
    /** A target of a kind this notifier does not know: recorded as not sent. */
    UNSUPPORTED("unsupported", Channel.UNKNOWN, true);

    private final String wire;
    private final Channel channel;
    private final boolean safeToResend;

    DeliveryAction(String wire, Channel channel, boolean safeToResend) {
        this.wire = wire;
        this.channel = channel;
        this.safeToResend = safeToResend;
    }

    public String wire() {
        return wire;
    }

    public Channel channel() {
        return channel;
    }

    /**
     * Whether sending it again after a crash cut off an attempt can never notify anyone twice, because the receiver
     * drops repeats (PagerDuty's dedup_key, the webhook delivery id).
     */
    public boolean safeToResend() {
        return safeToResend;
    }

    public static DeliveryAction fromWire(String wire) {
        for (DeliveryAction action : values()) {
            if (action.wire.equals(wire)) {
                return action;
            }
        }
        return UNSUPPORTED;
    }
}
