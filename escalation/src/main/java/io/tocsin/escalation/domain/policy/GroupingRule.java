package io.tocsin.escalation.domain.policy;

import java.util.List;

/** From the policy file's {@code grouping}: alerts whose labels match are grouped by these labels. */
public record GroupingRule(IncidentMatcher match, List<String> by) {

    public GroupingRule {
        by = List.copyOf(by);
    }
}
