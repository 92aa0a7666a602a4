package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What became of one delivery attempt, on {@link Topics#NOTIFICATIONS}, keyed by incident id: the notifier writes one
 * per attempt and escalation adds it to the incident's timeline.
 *
 * @param eventId unique per outcome
 * @param causeEventId the incident event the delivery was for
 * @param action what was sent, such as {@code slack.post}, {@code slack.reply}, {@code pagerduty.trigger},
 *        {@code email.send}, {@code webhook.post}
 * @param attempt 1 for the first attempt
 * @param detail for people: what happened, such as {@code HTTP 503, retrying in 4s}
 * @param nextAttemptAt for {@link Status#RETRYING}: when the next attempt is due
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NotificationOutcome(UUID eventId, UUID incidentId, Instant occurredAt, UUID causeEventId,
        NotificationTarget target, String action, Status status, int attempt, String detail, Instant nextAttemptAt) {

    /** How the attempt ended. */
    public enum Status {
        /** The destination accepted it. */
        DELIVERED("delivered"),
        /** It failed in a way that may pass (5xx, timeout, 429); another attempt is scheduled. */
        RETRYING("retrying"),
        /** It failed for good (4xx, or out of attempts); it is also on the dead-letter topic. */
        FAILED("failed"),
        /** Nothing was sent: the channel or the address is not configured. */
        NOT_SENT("not-sent"),
        /** A Slack root message folded into the channel's storm digest: the digest message announces it. */
        DIGESTED("digested"),
        /** The notifier stopped during the call; it is not sent again, so nobody gets it twice. */
        UNKNOWN("unknown");

        private final String wire;

        Status(String wire) {
            this.wire = wire;
        }

        @JsonValue
        public String wire() {
            return wire;
        }

        /** Parses the wire form; anything unrecognised becomes {@link #UNKNOWN}. */
        @JsonCreator
        public static Status fromWire(String value) {
            for (Status status : values()) {
                if (status.wire.equals(value)) {
                    return status;
                }
            }
            return UNKNOWN;
        }
    }
}
