package io.tocsin.notifier.domain;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import io.tocsin.events.Priority;

/** An incident as it stood when a message about it was rendered. */
public record IncidentSnapshot(UUID id, String title, String service, Priority priority, String state,
        Map<String, String> groupLabels, Map<String, String> labels, Map<String, String> annotations,
        String generatorUrl, int alerts, int firing, String acknowledgedBy, String resolvedBy, Instant snoozedUntil,
        Integer escalationLevel, Instant openedAt, long version, String url) {

    public IncidentSnapshot {
        groupLabels = groupLabels == null ? Map.of() : Map.copyOf(groupLabels);
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public boolean resolved() {
        return "resolved".equals(state);
    }

    public boolean acknowledged() {
        return "acknowledged".equals(state);
    }

    /** The summary annotation, else the title. */
    public String summary() {
        return annotations.getOrDefault("summary", title);
    }

    public String description() {
        return annotations.get("description");
    }

    /** The runbook link, from {@code runbook_url} (Prometheus' convention) or {@code runbook}. */
    public String runbookUrl() {
        return annotations.getOrDefault("runbook_url", annotations.get("runbook"));
    }

    /** Where the incident happened, for PagerDuty's {@code source}: instance, host, service or job. */
    public String source() {
        for (String key : new String[] { "instance", "host", "service", "job" }) {
            String value = labels.get(key);
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return service != null && !service.isBlank() ? service : "tocsin";
    }
}
