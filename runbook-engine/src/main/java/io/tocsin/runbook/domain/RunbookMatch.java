package io.tocsin.runbook.domain;

import java.util.Map;
import java.util.regex.Pattern;

import io.tocsin.events.Priority;

/**
 * Which incidents a runbook applies to: every label condition (an exact value or, written {@code ~regex}, a regular
 * expression the whole value must match) and a minimum priority (P1 takes P0 and P1; null takes any).
 */
public record RunbookMatch(Map<String, String> labels, Priority minPriority) {

    public RunbookMatch {
        labels = Map.copyOf(labels);
    }

    /** Why the labels do not match, or null when they do. */
    public String labelMismatch(Map<String, String> incidentLabels) {
        for (Map.Entry<String, String> condition : labels.entrySet()) {
            String value = incidentLabels.get(condition.getKey());
            String expected = condition.getValue();
            boolean ok = expected.startsWith("~") ? value != null && Pattern.matches(expected.substring(1), value)
                    : expected.equals(value);
            if (!ok) {
                return "label " + condition.getKey() + " is " + (value == null ? "not set" : "\"" + value + "\"")
                        + ", the runbook wants " + (expected.startsWith("~") ? "a match of " : "") + "\""
                        + (expected.startsWith("~") ? expected.substring(1) : expected) + "\"";
            }
        }
        return null;
    }

    /** Whether an incident of {@code priority} is urgent enough. */
    public boolean priorityReached(Priority priority) {
        return minPriority == null || (priority != Priority.UNKNOWN && !minPriority.isHigherThan(priority));
    }
}
