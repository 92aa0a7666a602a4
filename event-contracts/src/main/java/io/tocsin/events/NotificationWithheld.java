package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A level fired, but a silence (maintenance window) covers the incident: this target was not notified. The alerts are
 * still recorded and the escalation goes on, so notifications resume when the silence ends.
 *
 * @param silenceId the silence that withheld it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NotificationWithheld(UUID eventId, UUID incidentId, Instant occurredAt, NotificationTarget target,
        int level, UUID silenceId, String reason) implements IncidentEvent {
}
