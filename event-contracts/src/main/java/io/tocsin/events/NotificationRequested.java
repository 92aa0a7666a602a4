package io.tocsin.events;

import java.time.Instant;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An escalation level fired: notify this target about the incident. The notifier delivers it once per event id.
 *
 * @param target who to notify
 * @param policy the escalation policy that asked
 * @param level the level of the policy's ladder (0 first)
 * @param cycle how many times the ladder had already run through (0 the first time)
 * @param priority the incident's priority at the time
 * @param title the incident's title
 * @param slackDigest the policy's own storm digest settings, or {@code null} (absent) for the notifier's defaults
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record NotificationRequested(UUID eventId, UUID incidentId, Instant occurredAt, NotificationTarget target,
        String policy, int level, int cycle, Priority priority, String title,
        @JsonInclude(JsonInclude.Include.NON_NULL) SlackDigestSettings slackDigest) implements IncidentEvent {

    /** A request under a policy with no digest settings of its own. */
    public NotificationRequested(UUID eventId, UUID incidentId, Instant occurredAt, NotificationTarget target,
            String policy, int level, int cycle, Priority priority, String title) {
        this(eventId, incidentId, occurredAt, target, policy, level, cycle, priority, title, null);
    }
}
