package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A person's command about an incident, on {@link Topics#COMMANDS}, keyed by incident id: a Slack button press (the
 * notifier publishes it), or anything else that cannot call escalation's API. Applied once per {@code commandId}.
 *
 * @param commandId unique per command; a redelivered or re-sent command with the same id is applied once
 * @param actor who, such as {@code slack:U024BE7LH}
 * @param reason optional words for the timeline
 * @param until for {@code snooze}: when escalation resumes
 * @param priority for {@code change-priority}: the new priority, which then overrides the alerts'
 * @param text for {@code add-note}: the note
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IncidentCommand(UUID commandId, UUID incidentId, Action action, String actor, Instant issuedAt,
        String reason, Instant until, Priority priority, String text) {

    /** A command that needs no argument. */
    public static IncidentCommand of(UUID incidentId, Action action, String actor, Instant issuedAt) {
        return new IncidentCommand(UUID.randomUUID(), incidentId, action, actor, issuedAt, null, null, null, null);
    }

    /** What to do. */
    public enum Action {
        ACKNOWLEDGE("acknowledge"),
        UNACKNOWLEDGE("unacknowledge"),
        RESOLVE("resolve"),
        ESCALATE("escalate"),
        SNOOZE("snooze"),
        CHANGE_PRIORITY("change-priority"),
        ADD_NOTE("add-note"),
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
