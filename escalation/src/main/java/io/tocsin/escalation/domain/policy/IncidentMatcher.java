package io.tocsin.escalation.domain.policy;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import io.tocsin.events.Priority;

/**
 * Which incidents a policy applies to: any of the priorities (all when empty) and every label condition, each an exact
 * value or, written {@code ~regex}, a regular expression the whole value must match.
 */
public record IncidentMatcher(Set<Priority> priorities, Map<String, String> labels) {

    /** Matches every incident. */
    public static final IncidentMatcher ANY = new IncidentMatcher(Set.of(), Map.of());

    public IncidentMatcher {
        priorities = Set.copyOf(priorities);
        labels = Map.copyOf(labels);
    }

    public boolean matches(Priority priority, Map<String, String> incidentLabels) {
        if (!priorities.isEmpty() && !priorities.contains(priority)) {
            return false;
        }
        for (Map.Entry<String, String> condition : labels.entrySet()) {
            String value = incidentLabels.get(condition.getKey());
            String expected = condition.getValue();
            boolean ok = expected.startsWith("~") ? value != null && Pattern.matches(expected.substring(1), value)
                    : expected.equals(value);
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
