package io.tocsin.escalation.domain;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.tocsin.escalation.domain.policy.PriorityRule;
import io.tocsin.events.Priority;

/**
 * Gives an alert a priority from its labels, first match wins:
 * <ol>
 * <li>an explicit {@code priority} label {@code P0}..{@code P3};</li>
 * <li>the policy file's {@code priority_rules}, in order;</li>
 * <li>{@code severity} critical (or page) in production ({@code environment} or {@code env} is prod or production):
 * P0;</li>
 * <li>{@code severity} critical or page: P1;</li>
 * <li>{@code severity} error, high or major: P2;</li>
 * <li>anything else (warning, info, none): P3.</li>
 * </ol>
 */
public final class PriorityRules {

    private static final Set<String> CRITICAL = Set.of("critical", "page");
    private static final Set<String> ERROR = Set.of("error", "high", "major");
    private static final Set<String> PRODUCTION = Set.of("prod", "production");

    private final List<PriorityRule> rules;

    /** The built-in rules only. */
    public PriorityRules() {
        this(List.of());
    }

    public PriorityRules(List<PriorityRule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** The priority of one alert. */
    public Priority of(Map<String, String> labels) {
        Priority explicit = Priority.fromWire(labels.get("priority"));
        if (explicit != Priority.UNKNOWN) {
            return explicit;
        }
        for (PriorityRule rule : rules) {
            if (rule.match().matches(Priority.UNKNOWN, labels)) {
                return rule.priority();
            }
        }
        String severity = lower(labels.get("severity"));
        String environment = lower(labels.getOrDefault("environment", labels.get("env")));
        if (CRITICAL.contains(severity)) {
            return PRODUCTION.contains(environment) ? Priority.P0 : Priority.P1;
        }
        if (ERROR.contains(severity)) {
            return Priority.P2;
        }
        return Priority.P3;
    }

    private static String lower(String value) {
        return value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    }
}
