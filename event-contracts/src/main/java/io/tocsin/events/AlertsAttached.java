package io.tocsin.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Several new alert occurrences joined the incident in one commit (escalation's bulk intake, ADR 18): what a run of
 * {@link AlertAttached} events would say, in one record. Each member keeps its own {@code eventId} (the one its
 * timeline entry has); a consumer applies {@link #attached()} in order and skips this event's own id once processed.
 *
 * @param alerts the occurrences, in the order they were attached; never empty
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AlertsAttached(UUID eventId, UUID incidentId, Instant occurredAt, List<Member> alerts)
        implements
            IncidentEvent {

    public AlertsAttached {
        alerts = alerts == null ? List.of() : List.copyOf(alerts);
    }

    /** The same alerts as the {@code alert.attached} events they stand for. */
    public static AlertsAttached of(UUID eventId, UUID incidentId, Instant occurredAt, List<AlertAttached> attached) {
        return new AlertsAttached(eventId, incidentId, occurredAt, attached.stream().map(Member::of).toList());
    }

    /** The members as {@code alert.attached} events of this incident, in order. */
    public List<AlertAttached> attached() {
        return alerts.stream().map(m -> new AlertAttached(m.eventId(), incidentId, occurredAt, m.fingerprint(),
                m.labels(), m.annotations(), m.startsAt(), m.generatorUrl(), m.priority())).toList();
    }

    /** One alert: an {@code alert.attached} without the fields the record holds once. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Member(UUID eventId, String fingerprint, Map<String, String> labels,
            Map<String, String> annotations, Instant startsAt, String generatorUrl, Priority priority) {

        public Member {
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        }

        static Member of(AlertAttached a) {
            return new Member(a.eventId(), a.fingerprint(), a.labels(), a.annotations(), a.startsAt(),
                    a.generatorUrl(), a.priority());
        }
    }
}
