package io.tocsin.escalation.domain;

import static io.tocsin.escalation.domain.Occurrences.classify;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.tocsin.escalation.domain.Occurrences.Known;
import io.tocsin.escalation.domain.Occurrences.Meaning;
import io.tocsin.events.AlertStatus;

class OccurrencesTest {

    private static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");
    private static final Instant T1 = Instant.parse("2026-11-22T03:10:00Z");

    @Test
    void firstFiringDeliveryIsANewOccurrence() {
        assertThat(classify(null, AlertStatus.FIRING, T0)).isEqualTo(Meaning.NEW_OCCURRENCE);
    }

    @Test
    void resendsOfAFiringOccurrenceAreRepeats() {
        assertThat(classify(new Known(AlertStatus.FIRING, T0), AlertStatus.FIRING, T0)).isEqualTo(Meaning.REPEAT);
    }

    @Test
    void aResolvedDeliveryResolvesTheFiringOccurrenceOnce() {
        assertThat(classify(new Known(AlertStatus.FIRING, T0), AlertStatus.RESOLVED, T0)).isEqualTo(Meaning.RESOLVES);
        assertThat(classify(new Known(AlertStatus.RESOLVED, T0), AlertStatus.RESOLVED, T0)).isEqualTo(Meaning.STALE);
        assertThat(classify(null, AlertStatus.RESOLVED, T0)).isEqualTo(Meaning.STALE);
    }

    @Test
    void firingAgainWithANewStartIsANewOccurrenceButALateResendIsNot() {
        assertThat(classify(new Known(AlertStatus.RESOLVED, T0), AlertStatus.FIRING, T1))
                .isEqualTo(Meaning.NEW_OCCURRENCE);
        assertThat(classify(new Known(AlertStatus.RESOLVED, T0), AlertStatus.FIRING, T0)).isEqualTo(Meaning.STALE);
    }

    @Test
    void aLateResendIsRecognisedThoughTheDatabaseKeptItsStartToTheMicrosecond() {
        // Prometheus starts carry nanoseconds; PostgreSQL keeps microseconds (truncated or rounded by the driver).
        Instant sent = Instant.parse("2026-11-22T03:00:00.123456789Z");
        Instant truncated = Instant.parse("2026-11-22T03:00:00.123456Z");
        Instant rounded = Instant.parse("2026-11-22T03:00:00.123457Z");
        assertThat(classify(new Known(AlertStatus.RESOLVED, truncated), AlertStatus.FIRING, sent))
                .isEqualTo(Meaning.STALE);
        assertThat(classify(new Known(AlertStatus.RESOLVED, rounded), AlertStatus.FIRING, sent))
                .isEqualTo(Meaning.STALE);
        assertThat(classify(new Known(AlertStatus.RESOLVED, truncated), AlertStatus.FIRING,
                truncated.plusNanos(1_000))).isEqualTo(Meaning.NEW_OCCURRENCE);
    }

    @Test
    void aResolutionOfAnOlderOccurrenceIsStaleAndDoesNotEndTheFiringOne() {
        // An HA twin's late resolution of T0's occurrence, after the alert fired again at T1.
        assertThat(classify(new Known(AlertStatus.FIRING, T1), AlertStatus.RESOLVED, T0)).isEqualTo(Meaning.STALE);
        assertThat(classify(new Known(AlertStatus.FIRING, T1), AlertStatus.RESOLVED, T1.minusNanos(1_001)))
                .isEqualTo(Meaning.STALE);
    }

    @Test
    void aResolutionNamesItsOccurrenceToTheMicrosecondTheDatabaseKept() {
        Instant sent = Instant.parse("2026-11-22T03:00:00.123456789Z");
        Instant truncated = Instant.parse("2026-11-22T03:00:00.123456Z");
        Instant rounded = Instant.parse("2026-11-22T03:00:00.123457Z");
        assertThat(classify(new Known(AlertStatus.FIRING, truncated), AlertStatus.RESOLVED, sent))
                .isEqualTo(Meaning.RESOLVES);
        assertThat(classify(new Known(AlertStatus.FIRING, rounded), AlertStatus.RESOLVED, sent))
                .isEqualTo(Meaning.RESOLVES);
        assertThat(classify(new Known(AlertStatus.FIRING, truncated.plusNanos(2_000)), AlertStatus.RESOLVED, sent))
                .as("two microseconds later is another occurrence").isEqualTo(Meaning.STALE);
    }

    @Test
    void aResolutionWithALaterStartStillEndsTheFiringOccurrence() {
        // A generic webhook that sends no start gets its receive time; one fingerprint has one occurrence at a time.
        assertThat(classify(new Known(AlertStatus.FIRING, T0), AlertStatus.RESOLVED, T1)).isEqualTo(Meaning.RESOLVES);
    }
}
