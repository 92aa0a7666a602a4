package io.tocsin.escalation.domain.policy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.tocsin.events.Priority;

/**
 * Every escalation policy, in file order, and the response SLA (time to acknowledge) per priority. The first policy
 * whose matcher accepts an incident is its policy. Also the file's priority rules and grouping rules, first match
 * wins, which come before the built-in ones.
 */
public record PolicySet(int version, List<EscalationPolicy> policies, Map<Priority, Duration> sla,
        List<PriorityRule> priorityRules, List<GroupingRule> grouping) {

    public PolicySet {
        policies = List.copyOf(policies);
        sla = Map.copyOf(sla);
        priorityRules = List.copyOf(priorityRules);
        grouping = List.copyOf(grouping);
    }

    /** The policy for an incident; every valid file ends in a policy that matches, so there always is one. */
    public EscalationPolicy policyFor(Priority priority, Map<String, String> labels) {
        return policies.stream().filter(policy -> policy.match().matches(priority, labels)).findFirst()
                .orElseGet(() -> policies.get(policies.size() - 1));
    }

    /** The named policy, or the fallback (last) one when a renamed file no longer has it. */
    public EscalationPolicy policyNamed(String name) {
        return policies.stream().filter(policy -> policy.name().equals(name)).findFirst()
                .orElseGet(() -> policies.get(policies.size() - 1));
    }

    /** Time to acknowledge for a priority, or {@code null} when none is set. */
    public Duration sla(Priority priority) {
        return sla.get(priority);
    }
}
