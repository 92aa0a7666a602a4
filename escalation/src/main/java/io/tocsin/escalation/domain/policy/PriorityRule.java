package io.tocsin.escalation.domain.policy;

import io.tocsin.events.Priority;

/** From the policy file's {@code priority_rules}: alerts whose labels match get this priority. */
public record PriorityRule(IncidentMatcher match, Priority priority) {
}
