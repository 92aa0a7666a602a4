package io.tocsin.escalation.domain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.tocsin.escalation.domain.policy.GroupingRule;
import io.tocsin.escalation.domain.policy.IncidentMatcher;
import io.tocsin.events.Priority;

/**
 * Which incident an alert belongs to: alerts whose grouping labels are equal share an incident. Each element of the
 * rule is a label, or alternatives separated by {@code |} of which the first present counts. The default,
 * {@code alertname, service|job, cluster|namespace}, keeps a warning that turns critical in the same incident
 * (severity is not part of it) and keeps different services and clusters apart.
 */
public final class Grouping {

    /** The default rule. */
    public static final List<String> DEFAULT = List.of("alertname", "service|job", "cluster|namespace");

    private final List<List<String>> elements;
    private final List<Map.Entry<IncidentMatcher, Grouping>> rules;

    public Grouping(List<String> rule) {
        this(rule, List.of());
    }

    /** {@code rules} (the policy file's {@code grouping}, first match wins) before the default {@code rule}. */
    public Grouping(List<String> rule, List<GroupingRule> rules) {
        if (rule.isEmpty()) {
            throw new IllegalArgumentException("a grouping rule needs at least one label");
        }
        this.elements = rule.stream().map(element -> List.of(element.trim().split("\\s*\\|\\s*"))).toList();
        this.rules = rules.stream()
                .map(r -> Map.entry(r.match(), new Grouping(r.by())))
                .toList();
    }

    /** The labels that make up the group, in rule order; absent ones are left out. */
    public Map<String, String> groupLabels(Map<String, String> labels) {
        for (Map.Entry<IncidentMatcher, Grouping> rule : rules) {
            if (rule.getKey().matches(Priority.UNKNOWN, labels)) {
                return rule.getValue().groupLabels(labels);
            }
        }
        Map<String, String> group = new LinkedHashMap<>();
        for (List<String> alternatives : elements) {
            for (String name : alternatives) {
                String value = labels.get(name);
                if (value != null && !value.isEmpty()) {
                    group.put(name, value);
                    break;
                }
            }
        }
        return group;
    }

    /** The key alerts of one incident share, such as {@code alertname=DiskFull,service=db}. */
    public String key(Map<String, String> labels) {
        return groupLabels(labels).entrySet().stream()
                .map(label -> label.getKey() + "=" + label.getValue())
                .collect(Collectors.joining(","));
    }
}
