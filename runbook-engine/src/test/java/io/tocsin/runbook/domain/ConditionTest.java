package io.tocsin.runbook.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.tocsin.events.Priority;

class ConditionTest {

    @Test
    void testsSamplesAgainstAThreshold() {
        assertThat(Condition.parse("< 0.01").test(0.004)).isTrue();
        assertThat(Condition.parse("< 0.01").test(0.01)).isFalse();
        assertThat(Condition.parse(">=3").test(3)).isTrue();
        assertThat(Condition.parse("== 0").test(0)).isTrue();
        assertThat(Condition.parse("!= 0").test(0)).isFalse();
        assertThat(Condition.parse("< 1e-3").test(0.0001)).isTrue();
        assertThatThrownBy(() -> Condition.parse("below 1%")).hasMessageContaining("is not a condition");
    }

    @Test
    void branchesReadOutcomesLoosely() {
        assertThat(Outcome.APPROVED.satisfies(Outcome.SUCCEEDED)).isTrue();
        assertThat(Outcome.TIMED_OUT.satisfies(Outcome.FAILED)).isTrue();
        assertThat(Outcome.DENIED.satisfies(Outcome.TIMED_OUT)).isFalse();
        assertThat(Outcome.SUCCEEDED.satisfies(Outcome.FAILED)).isFalse();
    }

    @Test
    void matchesLabelsAndAMinimumPriority() {
        RunbookMatch match = new RunbookMatch(Map.of("service", "checkout", "namespace", "~prod-.*"), Priority.P1);

        assertThat(match.labelMismatch(Map.of("service", "checkout", "namespace", "prod-eu"))).isNull();
        assertThat(match.labelMismatch(Map.of("service", "db", "namespace", "prod-eu")))
                .isEqualTo("label service is \"db\", the runbook wants \"checkout\"");
        assertThat(match.labelMismatch(Map.of("service", "checkout"))).contains("label namespace is not set");
        assertThat(match.priorityReached(Priority.P0)).isTrue();
        assertThat(match.priorityReached(Priority.P1)).isTrue();
        assertThat(match.priorityReached(Priority.P2)).isFalse();
        assertThat(match.priorityReached(Priority.UNKNOWN)).isFalse();
    }
}
