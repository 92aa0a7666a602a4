package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * A step in the life of a runbook run, on {@link Topics#RUNBOOKS}, keyed by incident id: the runbook engine writes one
 * through its outbox for every run start and end, step start and result, and approval; escalation puts each on the
 * incident's timeline and passes it on as a {@link RunbookProgressed} incident event.
 *
 * @param eventId unique per event; readers skip ids they have processed
 * @param runId the run it belongs to
 * @param runbook the runbook's name
 * @param step the step's name, for step and approval events
 * @param stepIndex the step's position in the runbook (0 first), for step and approval events
 * @param stepKind {@code http}, {@code prometheus-query}, {@code wait}, {@code approval}, {@code notify},
 *        {@code branch} or {@code shell}
 * @param actor who caused it: {@code runbook:<name>} for the engine, else the person ({@code slack:U024BE7LH},
 *        {@code api:<token name>})
 * @param summary one line for people, secrets already redacted
 * @param dryRun whether the run only records what it would do
 * @param approvalExpiresAt for {@link Kind#APPROVAL_REQUESTED}: when the approval times out
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunbookEvent(UUID eventId, UUID incidentId, Instant occurredAt, UUID runId, String runbook, Kind kind,
        String step, Integer stepIndex, String stepKind, String actor, String summary, boolean dryRun,
        Instant approvalExpiresAt) {

    /** What happened. */
    public enum Kind {
        RUN_STARTED("run.started"),
        STEP_STARTED("step.started"),
        STEP_SUCCEEDED("step.succeeded"),
        STEP_FAILED("step.failed"),
        /** An approval step waits for someone to approve or deny it (Slack buttons, or the API). */
        APPROVAL_REQUESTED("approval.requested"),
        APPROVED("approval.approved"),
        DENIED("approval.denied"),
        APPROVAL_TIMED_OUT("approval.timed-out"),
        RUN_SUCCEEDED("run.succeeded"),
        RUN_FAILED("run.failed"),
        RUN_CANCELLED("run.cancelled"),
        /** A value written by a newer producer that this reader does not know. */
        UNKNOWN("unknown");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        @JsonValue
        public String wire() {
            return wire;
        }

        /** Parses the wire form; anything unrecognised becomes {@link #UNKNOWN}. */
        @JsonCreator
        public static Kind fromWire(String value) {
            for (Kind kind : values()) {
                if (kind.wire.equals(value)) {
                    return kind;
                }
            }
            return UNKNOWN;
        }
    }
}
