package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A person's command about an incident, on {@link Topics#COMMANDS}, keyed by incident id: a Slack button press (the
 * notifier publishes it), or anything else that cannot call escalation's API. Applied once per {@code commandId}.
 *
 * @param commandId unique per command; a redelivered or re-sent command with the same id is applied once
 * @param actor who, such as {@code slack:U024BE7LH}
 * @param reason optional words for the timeline
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record IncidentCommand(UUID commandId, UUID incidentId, Action action, String actor, Instant issuedAt,
        String reason) {

    /** What to do. */
    public enum Action {
        ACKNOWLEDGE("acknowledge"),
        RESOLVE("resolve"),
        /** A value written by a newer producer that this reader does not know; it is refused, never guessed. */
        UNKNOWN("unknown");

        private final String wire;

        Action(String wire) {
            this.wire = wire;
        }

        @JsonValue
        public String wire() {
            return wire;
        }

        /** Parses the wire form; anything unrecognised becomes {@link #UNKNOWN}. */
        @JsonCreator
        public static Action fromWire(String value) {
            for (Action action : values()) {
                if (action.wire.equals(value)) {
                    return action;
                }
            }
            return UNKNOWN;
        }
    }
}
