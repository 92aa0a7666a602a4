package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** An incident event of a type this reader does not know yet; readers skip it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record UnknownIncidentEvent(UUID eventId, UUID incidentId, Instant occurredAt) implements IncidentEvent {
}
