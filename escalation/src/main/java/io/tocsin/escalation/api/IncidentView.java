package io.tocsin.escalation.api;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.tocsin.escalation.persistence.IncidentRecord;

/** An incident as the API shows it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IncidentView(UUID id, String title, String state, String priority, String service, String groupKey,
        Map<String, String> groupLabels, String policy, int escalationLevel, Instant openedAt, Instant acknowledgedAt,
        String acknowledgedBy, Instant resolvedAt, Instant slaBreachedAt, Instant lastAlertAt, Instant snoozedUntil,
        String priorityOverride) {

    static IncidentView of(IncidentRecord record) {
        return new IncidentView(record.id, record.title, record.state, record.priority, record.service,
                record.groupKey, record.groupLabels, record.policy, record.escalationLevel, record.openedAt,
                record.acknowledgedAt, record.acknowledgedBy, record.resolvedAt, record.slaBreachedAt,
                record.lastAlertAt, record.snoozedUntil, record.priorityOverride);
    }
}
