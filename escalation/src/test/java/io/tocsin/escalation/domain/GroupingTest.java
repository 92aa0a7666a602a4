package io.tocsin.escalation.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class GroupingTest {

    private final Grouping grouping = new Grouping(Grouping.DEFAULT);

    @Test
    void severityIsNotPartOfTheGroupSoAWarningThatTurnsCriticalStaysOneIncident() {
        Map<String, String> warning = Map.of("alertname", "DiskFull", "service", "db", "severity", "warning",
                "instance", "db1");
        Map<String, String> critical = Map.of("alertname", "DiskFull", "service", "db", "severity", "critical",
                "instance", "db2");

        assertThat(grouping.key(warning)).isEqualTo(grouping.key(critical)).isEqualTo("alertname=DiskFull,service=db");
    }

    @Test
    void alternativesTakeTheFirstLabelPresent() {
        assertThat(grouping.key(Map.of("alertname", "Up", "job", "node", "namespace", "prod")))
                .isEqualTo("alertname=Up,job=node,namespace=prod");
        assertThat(grouping.key(Map.of("alertname", "Up", "service", "api", "job", "node", "cluster", "eu1",
                "namespace", "prod"))).isEqualTo("alertname=Up,service=api,cluster=eu1");
    }

    @Test
    void differentServicesAreDifferentGroups() {
        assertThat(grouping.key(Map.of("alertname", "Up", "service", "api")))
                .isNotEqualTo(grouping.key(Map.of("alertname", "Up", "service", "web")));
    }

    @Test
    void aCustomRuleIsUsedAsGiven() {
        Grouping byTeam = new Grouping(java.util.List.of("team", "alertname"));

        assertThat(byTeam.groupLabels(Map.of("alertname", "X", "team", "sre", "service", "a")))
                .containsExactly(Map.entry("team", "sre"), Map.entry("alertname", "X"));
    }
}
