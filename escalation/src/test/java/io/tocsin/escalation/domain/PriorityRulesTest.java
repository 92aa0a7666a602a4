package io.tocsin.escalation.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.tocsin.events.Priority;

class PriorityRulesTest {

    private final PriorityRules rules = new PriorityRules();

    @Test
    void anExplicitPriorityLabelWins() {
        assertThat(rules.of(Map.of("priority", "p2", "severity", "critical"))).isEqualTo(Priority.P2);
    }

    @Test
    void criticalInProductionIsP0AndElsewhereP1() {
        assertThat(rules.of(Map.of("severity", "critical", "environment", "production"))).isEqualTo(Priority.P0);
        assertThat(rules.of(Map.of("severity", "Critical", "env", "prod"))).isEqualTo(Priority.P0);
        assertThat(rules.of(Map.of("severity", "critical", "env", "staging"))).isEqualTo(Priority.P1);
        assertThat(rules.of(Map.of("severity", "page"))).isEqualTo(Priority.P1);
    }

    @Test
    void errorsAreP2AndTheRestP3() {
        assertThat(rules.of(Map.of("severity", "error"))).isEqualTo(Priority.P2);
        assertThat(rules.of(Map.of("severity", "warning"))).isEqualTo(Priority.P3);
        assertThat(rules.of(Map.of())).isEqualTo(Priority.P3);
        assertThat(rules.of(Map.of("priority", "urgent!", "severity", "info"))).isEqualTo(Priority.P3);
    }
}
