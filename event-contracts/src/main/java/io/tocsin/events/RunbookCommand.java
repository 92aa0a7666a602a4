package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A person's decision about a runbook run, on {@link Topics#RUNBOOK_COMMANDS}, keyed by incident id: an Approve or
 * Deny press in Slack (the notifier publishes it). The runbook engine applies each {@code commandId} once; a decision
 * about an approval that is no longer waiting changes nothing.
 *
 * @param commandId unique per command; a re-sent command with the same id is applied once
 * @param runId the run
 * @param stepIndex for approve and deny: the approval step (0 first), so a late press cannot decide a later approval
 * @param actor who, such as {@code slack:U024BE7LH}
 * @param reason optional words for the timeline
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunbookCommand(UUID commandId, UUID runId, UUID incidentId, Integer stepIndex, Action action,
        String actor, Instant issuedAt, String reason) {

    /** What to do. */
    public enum Action {
        APPROVE("approve"),
        DENY("deny"),
        CANCEL("cancel"),
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
