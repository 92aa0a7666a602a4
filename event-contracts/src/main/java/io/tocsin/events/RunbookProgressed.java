package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A runbook run moved on: escalation's copy of a {@link RunbookEvent}, recorded on the incident's timeline and passed
 * to the notifier, which replies in the incident's Slack thread (an {@link RunbookEvent.Kind#APPROVAL_REQUESTED} with
 * Approve and Deny buttons). It has the {@code eventId} of the runbook event it copies.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunbookProgressed(UUID eventId, UUID incidentId, Instant occurredAt, UUID runId, String runbook,
        RunbookEvent.Kind kind, String step, Integer stepIndex, String stepKind, String actor, String summary,
        boolean dryRun, Instant approvalExpiresAt) implements IncidentEvent {

    /** The incident event for {@code event}. */
    public static RunbookProgressed of(RunbookEvent event) {
        return new RunbookProgressed(event.eventId(), event.incidentId(), event.occurredAt(), event.runId(),
                event.runbook(), event.kind(), event.step(), event.stepIndex(), event.stepKind(), event.actor(),
                event.summary(), event.dryRun(), event.approvalExpiresAt());
    }
}
