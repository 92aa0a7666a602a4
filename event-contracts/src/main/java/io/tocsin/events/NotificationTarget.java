package io.tocsin.events;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Where a notification goes, as an escalation policy names it.
 *
 * @param channel the kind of destination
 * @param address channel-specific: a Slack channel ({@code #db-oncall}, {@code C0123}) or user group ({@code @sre}), a
 *        PagerDuty routing key, an e-mail address, a webhook URL; empty when the policy left it unconfigured
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NotificationTarget(Channel channel, String address) {

    /** The kinds of destination. */
    public enum Channel {
        SLACK("slack"),
        PAGERDUTY("pagerduty"),
        EMAIL("email"),
        WEBHOOK("webhook"),
        /** A value written by a newer producer that this reader does not know. */
        UNKNOWN("unknown");

        private final String wire;

        Channel(String wire) {
            this.wire = wire;
        }

        @JsonValue
        public String wire() {
            return wire;
        }

        /** Parses the wire form; anything unrecognised becomes {@link #UNKNOWN}. */
        @JsonCreator
        public static Channel fromWire(String value) {
            for (Channel channel : values()) {
                if (channel.wire.equals(value)) {
                    return channel;
                }
            }
            return UNKNOWN;
        }
    }

    /**
     * A form safe for logs and the timeline: a PagerDuty routing key (which lets anyone open incidents) shows its first
     * four characters only, a webhook URL (whose path or query may hold a token) its scheme and host only.
     */
    @Override
    public String toString() {
        if (address == null || address.isEmpty()) {
            return channel.wire() + ":(not configured)";
        }
        String shown = switch (channel) {
            case PAGERDUTY -> address.length() <= 8 ? "…" : address.substring(0, 4) + "…";
            case WEBHOOK -> originOf(address);
            default -> address;
        };
        return channel.wire() + ":" + shown;
    }

    private static String originOf(String url) {
        try {
            java.net.URI uri = java.net.URI.create(url.trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                return "(not a URL)";
            }
            return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort()) + "/…";
        } catch (IllegalArgumentException e) {
            return "(not a URL)";
        }
    }
}
