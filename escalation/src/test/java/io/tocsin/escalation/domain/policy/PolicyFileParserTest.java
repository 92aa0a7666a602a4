package io.tocsin.escalation.domain.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.tocsin.escalation.domain.Grouping;
import io.tocsin.escalation.domain.PriorityRules;
import io.tocsin.events.NotificationTarget;
import io.tocsin.events.NotificationTarget.Channel;
import io.tocsin.events.Priority;
import io.tocsin.events.SlackDigestSettings;

class PolicyFileParserTest {

    private static final String GOOD = """
            version: 1
            sla:
              P0: 15m
              P2: 3600
            policies:
              - name: db
                match:
                  priority: [P0, P1]
                  labels: {team: db, cluster: "~eu-.*"}
                levels:
                  - after: 0s
                    notify:
                      - slack: "#db-oncall"
                      - pagerduty: ${PD_KEY}
                  - after: 10m
                    notify:
                      - email: dba@example.com
                      - webhook: https://hooks.example.com/page
                repeat: 2
                repeat_after: 20m
                auto_resolve: false
              - name: everything-else
                levels:
                  - notify: [{slack: "${CHANNEL:-#incidents}"}]
            """;

    @Test
    void readsEveryPartOfAGoodFile() {
        PolicySet set = PolicyFileParser.parse(GOOD, "policies.yaml", Map.of("PD_KEY", "R0123")::get);

        assertThat(set.sla(Priority.P0)).isEqualTo(Duration.ofMinutes(15));
        assertThat(set.sla(Priority.P2)).isEqualTo(Duration.ofHours(1));
        assertThat(set.sla(Priority.P1)).isNull();
        EscalationPolicy db = set.policies().get(0);
        assertThat(db.name()).isEqualTo("db");
        assertThat(db.levels()).hasSize(2);
        assertThat(db.levels().get(0).targets()).containsExactly(new NotificationTarget(Channel.SLACK, "#db-oncall"),
                new NotificationTarget(Channel.PAGERDUTY, "R0123"));
        assertThat(db.levels().get(1).after()).isEqualTo(Duration.ofMinutes(10));
        assertThat(db.levels().get(1).targets()).extracting(NotificationTarget::channel)
                .containsExactly(Channel.EMAIL, Channel.WEBHOOK);
        assertThat(db.repeat()).isEqualTo(2);
        assertThat(db.repeatAfter()).isEqualTo(Duration.ofMinutes(20));
        assertThat(db.autoResolve()).isFalse();
        EscalationPolicy fallback = set.policies().get(1);
        assertThat(fallback.autoResolve()).isTrue();
        assertThat(fallback.levels().get(0).after()).isZero();
        assertThat(fallback.levels().get(0).targets()).containsExactly(new NotificationTarget(Channel.SLACK,
                "#incidents"));
    }

    @Test
    void theFirstMatchingPolicyApplies() {
        PolicySet set = PolicyFileParser.parse(GOOD, "policies.yaml", name -> null);

        assertThat(set.policyFor(Priority.P0, Map.of("team", "db", "cluster", "eu-west")).name()).isEqualTo("db");
        assertThat(set.policyFor(Priority.P0, Map.of("team", "db", "cluster", "us-east")).name())
                .isEqualTo("everything-else");
        assertThat(set.policyFor(Priority.P3, Map.of("team", "db", "cluster", "eu-west")).name())
                .isEqualTo("everything-else");
        assertThat(set.policies().get(0).levels().get(0).targets().get(1).address()).as("unset variable").isEmpty();
    }

    @Test
    void aPolicysOwnDigestSettingsAreReadAndBadOnesNamedWithTheirLine() {
        String text = """
                version: 1
                policies:
                  - name: platform
                    match: {labels: {team: platform}}
                    digest: {threshold: 25, window: 5m}
                    levels: [{notify: [{slack: "#platform"}]}]
                  - name: quiet
                    match: {labels: {team: quiet}}
                    digest: {threshold: 0}
                    levels: [{notify: [{slack: "#quiet"}]}]
                  - name: fallback
                    levels: [{notify: [{slack: "#incidents"}]}]
                """;
        PolicySet set = PolicyFileParser.parse(text, "policies.yaml", name -> null);

        assertThat(set.policies()).extracting(EscalationPolicy::slackDigest).containsExactly(
                new SlackDigestSettings(25, 300L), new SlackDigestSettings(0, null), null);

        String bad = """
                version: 1
                policies:
                  - name: a
                    match: {labels: {team: a}}
                    digest: {threshold: -1, window: 25h, every: 3}
                    levels: [{notify: [{slack: "#a"}]}]
                  - name: b
                    digest: {}
                    levels: [{notify: [{slack: "#b"}]}]
                """;
        assertThatThrownBy(() -> PolicyFileParser.parse(bad, "policies.yaml", name -> null))
                .isInstanceOfSatisfying(PolicyFileException.class, e -> assertThat(e.problems()).containsExactly(
                        "policies.yaml:5: policies[0].digest.every: unknown key; expected one of [threshold, window]",
                        "policies.yaml:5: policies[0].digest.threshold: must be a whole number from 0 to 10000",
                        "policies.yaml:5: policies[0].digest.window: must be from 1s to 24h",
                        "policies.yaml:8: policies[1].digest: must set threshold and/or window"));
    }

    @Test
    void everyProblemIsReportedWithItsLine() {
        String bad = """
                version: 1
                sla:
                  P7: 15m
                policies:
                  - name: db
                    levles: []
                    levels:
                      - after: 10x
                        notify:
                          - sms: "+4412345"
                  - name: db
                    match: {priority: P9, labels: {team: db}}
                    levels:
                      - after: 1m
                """;

        assertThatThrownBy(() -> PolicyFileParser.parse(bad, "policies.yaml", name -> null))
                .isInstanceOfSatisfying(PolicyFileException.class, e -> assertThat(e.problems()).containsExactly(
                        "policies.yaml:3: sla.P7: is not a priority (P0, P1, P2 or P3)",
                        "policies.yaml:6: policies[0].levles: unknown key; expected one of [auto_resolve, digest, "
                                + "levels, match, name, repeat, repeat_after]",
                        "policies.yaml:8: policies[0].levels[0].after: \"10x\" is not a duration; use seconds or "
                                + "minutes such as 30s, 15m or 2h",
                        "policies.yaml:10: policies[0].levels[0].notify[0]: unknown target \"sms\"; use slack, "
                                + "pagerduty, email or webhook",
                        "policies.yaml:12: policies[1].match.priority: must be P0, P1, P2 or P3",
                        "policies.yaml:14: policies[1].levels[0].notify: is required: a list such as "
                                + "[{slack: \"#oncall\"}, {pagerduty: \"<routing key>\"}]",
                        "policies.yaml:11: policies[1].name: \"db\" is used by an earlier policy",
                        "policies.yaml:11: policies[1]: the last policy is the fallback and must have no match"));
    }

    @Test
    void addressesThatCouldNeverBeDeliveredStopTheStartWithTheirLine() {
        String bad = """
                version: 1
                policies:
                  - name: all
                    levels:
                      - notify:
                          - slack: "db-oncall"
                          - slack: "#db-oncall @sre-team"
                          - email: "dba at example.com"
                          - webhook: "hooks.example.com/page"
                          - slack: "${UNSET}"
                          - slack: "#db-oncall <!subteam^S0123ABC> <@U024BE7LH> @here"
                """;

        assertThatThrownBy(() -> PolicyFileParser.parse(bad, "p.yaml", name -> null))
                .isInstanceOfSatisfying(PolicyFileException.class, e -> assertThat(e.problems()).containsExactly(
                        "p.yaml:6: policies[0].levels[0].notify[0].slack: \"db-oncall\" is not a Slack channel; use "
                                + "#name (lower case) or a channel id such as C0123ABC, then any mentions",
                        "p.yaml:7: policies[0].levels[0].notify[1].slack: \"@sre-team\" is not a Slack mention; use "
                                + "<@U…> for a user, <!subteam^S…> for a user group, @here or @channel",
                        "p.yaml:8: policies[0].levels[0].notify[2].email: \"dba at example.com\" is not an e-mail "
                                + "address",
                        "p.yaml:9: policies[0].levels[0].notify[3].webhook: is not an http(s) URL"));
    }

    @Test
    void priorityAndGroupingRulesComeFromTheFileAndComeFirst() {
        String text = """
                version: 1
                priority_rules:
                  - match: {labels: {team: payments, severity: critical}}
                    priority: P0
                  - match: {labels: {alertname: "~Watchdog|InfoInhibitor"}}
                    priority: P3
                grouping:
                  - match: {labels: {team: db}}
                    by: [alertname, cluster]
                policies:
                  - name: all
                    levels: [{notify: [{slack: "#ops"}]}]
                """;
        PolicySet set = PolicyFileParser.parse(text, "p.yaml", name -> null);
        PriorityRules priorities = new PriorityRules(set.priorityRules());
        assertThat(priorities.of(Map.of("team", "payments", "severity", "critical"))).isEqualTo(Priority.P0);
        assertThat(priorities.of(Map.of("team", "web", "severity", "critical"))).as("built-in rules still apply")
                .isEqualTo(Priority.P1);
        assertThat(priorities.of(Map.of("alertname", "Watchdog", "severity", "critical"))).isEqualTo(Priority.P3);
        assertThat(priorities.of(Map.of("team", "payments", "severity", "critical", "priority", "P2")))
                .as("an explicit priority label still wins").isEqualTo(Priority.P2);

        Grouping grouping = new Grouping(Grouping.DEFAULT, set.grouping());
        assertThat(grouping.key(Map.of("alertname", "Lag", "team", "db", "cluster", "eu", "service", "pg-1")))
                .isEqualTo("alertname=Lag,cluster=eu");
        assertThat(grouping.key(Map.of("alertname", "Lag", "team", "web", "cluster", "eu", "service", "api")))
                .as("no rule matched: the default").isEqualTo("alertname=Lag,service=api,cluster=eu");
    }

    @Test
    void badRulesAreReportedWithTheirLines() {
        String bad = """
                version: 1
                priority_rules:
                  - match: {labels: {team: "~(unclosed"}}
                    priority: P9
                  - priority: P1
                grouping:
                  - match: {priority: P1, labels: {team: db}}
                    by: []
                policies:
                  - name: all
                    levels: [{notify: [{slack: "#ops"}]}]
                """;
        assertThatThrownBy(() -> PolicyFileParser.parse(bad, "p.yaml", name -> null))
                .isInstanceOfSatisfying(PolicyFileException.class, e -> assertThat(e.problems()).containsExactly(
                        "p.yaml:3: priority_rules[0].match.labels.team: is not a valid regular expression",
                        "p.yaml:4: priority_rules[0].priority: is required: P0, P1, P2 or P3",
                        "p.yaml:5: priority_rules[1].match: is required: labels to match, such as {labels: {team: db}}",
                        "p.yaml:7: grouping[0].match.priority: a rule matches alert labels only",
                        "p.yaml:8: grouping[0].by: is required: a list of labels such as [alertname, cluster]"));
    }

    @Test
    void brokenYamlAndAMissingVersionAreExplained() {
        assertThatThrownBy(() -> PolicyFileParser.parse("version: 1\npolicies: [\n", "p.yaml", name -> null))
                .isInstanceOf(PolicyFileException.class).hasMessageContaining("p.yaml:3: not valid YAML");
        assertThatThrownBy(() -> PolicyFileParser.parse("version: 2\npolicies: []\n", "p.yaml", name -> null))
                .isInstanceOfSatisfying(PolicyFileException.class, e -> assertThat(e.problems()).containsExactly(
                        "p.yaml:1: version: unsupported version; this Tocsin reads version 1",
                        "p.yaml:2: policies: must be a non-empty list of escalation policies"));
    }

    @Test
    void theShippedDefaultPolicyIsValidAndUsesTheEnvironment() throws IOException {
        String text;
        try (InputStream in = PolicyFileParserTest.class.getResourceAsStream("/default-policy.yaml")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        PolicySet set = PolicyFileParser.parse(text, "default-policy.yaml",
                Map.of("TOCSIN_PAGERDUTY_ROUTING_KEY", "R9999")::get);

        assertThat(set.sla(Priority.P0)).isEqualTo(Duration.ofMinutes(15));
        EscalationPolicy urgent = set.policyFor(Priority.P0, Map.of());
        assertThat(urgent.name()).isEqualTo("urgent");
        assertThat(urgent.levels().get(0).targets()).containsExactly(new NotificationTarget(Channel.SLACK, "#incidents"),
                new NotificationTarget(Channel.PAGERDUTY, "R9999"));
        assertThat(set.policyFor(Priority.P3, Map.of()).name()).isEqualTo("default");
        assertThat(List.of(urgent.repeat(), (int) urgent.repeatAfter().toMinutes())).containsExactly(3, 15);
    }
}
