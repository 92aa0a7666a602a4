package io.tocsin.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A new alert occurrence joined the incident (repeated deliveries of the same occurrence do not produce this).
 *
 * @param priority the priority the rules give this alert
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AlertAttached(UUID eventId, UUID incidentId, Instant occurredAt, String fingerprint,
        Map<String, String> labels, Map<String, String> annotations, Instant startsAt, String generatorUrl,
        Priority priority) implements IncidentEvent {

    public AlertAttached {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }
}
