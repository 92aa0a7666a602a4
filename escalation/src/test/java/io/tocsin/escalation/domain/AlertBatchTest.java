package io.tocsin.escalation.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.tocsin.escalation.domain.AlertBatch.Delivery;
import io.tocsin.escalation.domain.AlertBatch.Open;
import io.tocsin.escalation.domain.AlertBatch.Plan;
import io.tocsin.escalation.domain.AlertBatch.Stored;
import io.tocsin.events.AlertStatus;
import io.tocsin.events.Priority;

class AlertBatchTest {

    private static final Instant T0 = Instant.parse("2026-12-03T03:00:00Z");
    private static final UUID INCIDENT = UUID.randomUUID();
    private static final Map<String, Open> OPEN_P3 = Map.of("g", new Open(INCIDENT, Priority.P3, false, Priority.P3));

    @Test
    void repeatsAndNewAlertsOfAnOpenIncidentAreCoveredAndCountedOnTheRightOccurrence() {
        Map<String, Stored> stored = Map.of("a", new Stored(7, AlertStatus.FIRING, T0));
        Plan plan = AlertBatch.plan(List.of(firing("1", "a"), firing("2", "b"), firing("3", "b"), firing("4", "a"),
                resolved("5", "unknown")), Set.of(), stored, OPEN_P3);

        assertThat(plan.applied()).isEqualTo(5);
        assertThat(plan.marks()).containsExactly(0, 1, 2, 3, 4);
        assertThat(plan.counts()).containsExactlyEntriesOf(Map.of(7L, 2));
        assertThat(plan.created()).singleElement().satisfies(created -> {
            assertThat(created.index()).isEqualTo(1);
            assertThat(created.deliveries()).as("its first delivery and the repeat after it").isEqualTo(2);
            assertThat(created.incidentId()).isEqualTo(INCIDENT);
        });
        assertThat(plan.incidents()).containsExactly(INCIDENT);
    }

    @Test
    void deliveriesProcessedBeforeAreCoveredWithoutAMarkOrACount() {
        Map<String, Stored> stored = Map.of("a", new Stored(7, AlertStatus.FIRING, T0));
        Plan plan = AlertBatch.plan(List.of(firing("1", "a"), firing("2", "b")), Set.of("1", "2"), stored, OPEN_P3);

        assertThat(plan.applied()).isEqualTo(2);
        assertThat(plan.writes()).isFalse();
        assertThat(plan.counts()).isEmpty();
        assertThat(plan.created()).isEmpty();
    }

    @Test
    void theBulkStopsAtAResolutionAndAtAnythingAfterItIsLeftForTheNextPlan() {
        Map<String, Stored> stored = Map.of("a", new Stored(7, AlertStatus.FIRING, T0));
        Plan plan = AlertBatch.plan(List.of(firing("1", "a"), resolved("2", "a"), firing("3", "a")), Set.of(), stored,
                OPEN_P3);

        assertThat(plan.applied()).isEqualTo(1);
        assertThat(plan.marks()).containsExactly(0);
    }

    @Test
    void aNewAlertThatFiresAndResolvesInOneBatchIsAttachedThenLeftToResolveOnItsOwn() {
        Plan plan = AlertBatch.plan(List.of(firing("1", "b"), resolved("2", "b")), Set.of(), Map.of(), OPEN_P3);

        assertThat(plan.applied()).isEqualTo(1);
        assertThat(plan.created()).hasSize(1);
    }

    @Test
    void aNewAlertOfAGroupWithoutAnOpenIncidentOpensItOnItsOwn() {
        Plan plan = AlertBatch.plan(List.of(firing("1", "x", "other", Priority.P3)), Set.of(), Map.of(), OPEN_P3);

        assertThat(plan.applied()).isZero();
        assertThat(plan.writes()).isFalse();
    }

    @Test
    void aNewAlertThatWouldChangeTheIncidentsPriorityGoesOnItsOwnUnlessThePriorityIsSetByHand() {
        List<Delivery> urgent = List.of(firing("1", "x", "g", Priority.P1));
        assertThat(AlertBatch.plan(urgent, Set.of(), Map.of(), OPEN_P3).applied()).isZero();

        Map<String, Open> overridden = Map.of("g", new Open(INCIDENT, Priority.P3, true, Priority.P3));
        assertThat(AlertBatch.plan(urgent, Set.of(), Map.of(), overridden).applied()).isEqualTo(1);

        // A P1 incident whose P1 alert has resolved would fall to P3 with a P3 alert: on its own too.
        Map<String, Open> nothingFiring = Map.of("g", new Open(INCIDENT, Priority.P1, false, null));
        assertThat(AlertBatch.plan(List.of(firing("1", "y")), Set.of(), Map.of(), nothingFiring).applied()).isZero();
        // A less urgent alert joining a P1 incident whose P1 alert fires changes nothing: in bulk.
        Map<String, Open> p1Firing = Map.of("g", new Open(INCIDENT, Priority.P1, false, Priority.P1));
        assertThat(AlertBatch.plan(List.of(firing("1", "y")), Set.of(), Map.of(), p1Firing).applied()).isEqualTo(1);
    }

    @Test
    void aDeliveryTheDatabaseCannotTakeGoesOnItsOwn() {
        Delivery unwritable = new Delivery("2", "b", AlertStatus.FIRING, T0, "g", Priority.P3, false);
        Plan plan = AlertBatch.plan(List.of(firing("1", "b"), unwritable), Set.of(), Map.of(), OPEN_P3);

        assertThat(plan.applied()).isEqualTo(1);
    }

    @Test
    void aFingerprintFiringAgainAfterItsStoredOccurrenceResolvedIsANewOccurrence() {
        Map<String, Stored> stored = Map.of("a", new Stored(7, AlertStatus.RESOLVED, T0));
        Plan plan = AlertBatch.plan(List.of(firing("1", "a", T0.plusSeconds(60)), firing("2", "a", T0)), Set.of(),
                stored, OPEN_P3);

        assertThat(plan.applied()).isEqualTo(2);
        assertThat(plan.created()).singleElement().satisfies(c -> assertThat(c.deliveries()).isEqualTo(2));
        assertThat(plan.counts()).isEmpty();
    }

    private static Delivery firing(String id, String fingerprint) {
        return firing(id, fingerprint, "g", Priority.P3);
    }

    private static Delivery firing(String id, String fingerprint, Instant startsAt) {
        return new Delivery(id, fingerprint, AlertStatus.FIRING, startsAt, "g", Priority.P3, true);
    }

    private static Delivery firing(String id, String fingerprint, String group, Priority priority) {
        return new Delivery(id, fingerprint, AlertStatus.FIRING, T0, group, priority, true);
    }

    private static Delivery resolved(String id, String fingerprint) {
        return new Delivery(id, fingerprint, AlertStatus.RESOLVED, T0, "g", Priority.P3, true);
    }
}
