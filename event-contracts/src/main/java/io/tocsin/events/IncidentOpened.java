package io.tocsin.events;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * A new incident, opened by its first firing alert.
 *
 * @param groupKey the grouping key its alerts share, such as {@code alertname=DiskFull,service=db}
 * @param title a one-line description (the first alert's summary, else its alert name)
 * @param service the service it concerns, when the labels say
 * @param priority its priority when opened
 * @param groupLabels the labels the grouping key is made of
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record IncidentOpened(UUID eventId, UUID incidentId, Instant occurredAt, String groupKey, String title,
        String service, Priority priority, Map<String, String> groupLabels) implements IncidentEvent {

    public IncidentOpened {
        groupLabels = groupLabels == null ? Map.of() : Map.copyOf(groupLabels);
    }
}
