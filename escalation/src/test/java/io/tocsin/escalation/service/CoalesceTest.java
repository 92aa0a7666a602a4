package io.tocsin.escalation.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.tocsin.events.AlertAttached;
import io.tocsin.events.AlertsAttached;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.Priority;

/** What the bulk intake publishes for the alerts one commit attached. */
class CoalesceTest {

    private static final Instant NOW = Instant.parse("2026-12-03T03:00:00Z");
    private static final UUID A = UUID.fromString("aaaaaaaa-0000-4000-8000-000000000001");
    private static final UUID B = UUID.fromString("bbbbbbbb-0000-4000-8000-000000000002");

    @Test
    void eachIncidentsAlertsBecomeOneRecordInOrderAndALoneAlertStaysAnAlertAttached() {
        AlertAttached a1 = attached(A, "a1", "x");
        AlertAttached b1 = attached(B, "b1", "x");
        AlertAttached a2 = attached(A, "a2", "x");
        AlertAttached a3 = attached(A, "a3", "x");

        List<IncidentEvent> published = BatchIntake.coalesce(List.of(a1, b1, a2, a3), NOW);

        assertThat(published).hasSize(2);
        AlertsAttached many = (AlertsAttached) published.get(0);
        assertThat(many.incidentId()).isEqualTo(A);
        assertThat(many.attached()).containsExactly(a1, a2, a3);
        assertThat(many.eventId()).isNotIn(a1.eventId(), a2.eventId(), a3.eventId());
        assertThat(published.get(1)).isEqualTo(b1);
    }

    @Test
    void aRecordIsSplitBeforeItGrowsPastItsMembersOrItsCharacters() {
        List<AlertAttached> many = new ArrayList<>();
        for (int i = 0; i < BatchIntake.MOST_MEMBERS * 2 + 1; i++) {
            many.add(attached(A, "m" + i, "x"));
        }
        List<IncidentEvent> byCount = BatchIntake.coalesce(many, NOW);
        assertThat(byCount).hasSize(3);
        assertThat(((AlertsAttached) byCount.get(0)).alerts()).hasSize(BatchIntake.MOST_MEMBERS);
        assertThat(((AlertsAttached) byCount.get(1)).alerts()).hasSize(BatchIntake.MOST_MEMBERS);
        assertThat(byCount.get(2)).isEqualTo(many.get(many.size() - 1));

        String big = "y".repeat(BatchIntake.MOST_CHARACTERS / 3);
        List<AlertAttached> large = List.of(attached(A, "l1", big), attached(A, "l2", big), attached(A, "l3", big),
                attached(A, "l4", big));
        List<IncidentEvent> bySize = BatchIntake.coalesce(large, NOW);
        assertThat(bySize).hasSize(2);
        assertThat(((AlertsAttached) bySize.get(0)).attached()).containsExactlyElementsOf(large.subList(0, 2));
        assertThat(((AlertsAttached) bySize.get(1)).attached()).containsExactlyElementsOf(large.subList(2, 4));
    }

    private static AlertAttached attached(UUID incident, String fingerprint, String summary) {
        return new AlertAttached(UUID.randomUUID(), incident, NOW, fingerprint, Map.of("alertname", "Disk"),
                Map.of("summary", summary), NOW, null, Priority.P3);
    }
}
