package io.tocsin.escalation.domain;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.tocsin.events.AlertStatus;

/**
 * Decides what a delivery of an alert means, given the latest known occurrence of the same fingerprint. Alertmanager
 * re-sends whole groups every group_interval and HA pairs send everything twice, so most deliveries repeat what is
 * already known and must change nothing but counters. {@code AlertIntake.COUNT_REPEAT} applies the same rules to
 * repeats in one SQL statement (ADR 13): a change here must be made there too.
 */
public final class Occurrences {

    /** What a delivery means. */
    public enum Meaning {
        /** The first delivery of a firing occurrence: attach it to an incident. */
        NEW_OCCURRENCE,
        /** The same firing occurrence again: count it, nothing else. */
        REPEAT,
        /** The known firing occurrence has resolved. */
        RESOLVES,
        /**
         * A resolved delivery for an occurrence already resolved, never seen or older than the firing one (an HA twin's
         * late resolution after a re-fire), or a late firing one: count it, change nothing.
         */
        STALE
    }

    /** The latest occurrence known for a fingerprint. */
    public record Known(AlertStatus status, Instant startsAt) {
    }

    private Occurrences() {
    }

    /**
     * @param latest the latest occurrence of this fingerprint, or {@code null} when none is known
     */
    public static Meaning classify(Known latest, AlertStatus status, Instant startsAt) {
        boolean firing = status != AlertStatus.RESOLVED;
        if (latest == null) {
            return firing ? Meaning.NEW_OCCURRENCE : Meaning.STALE;
        }
        if (latest.status() == AlertStatus.FIRING) {
            if (firing) {
                return Meaning.REPEAT;
            }
            // A resolution names its occurrence by its start: one of an older occurrence must not end the newer one.
            // A later start still resolves: one fingerprint has one occurrence active at a time, and alert-ingest
            // gives a delivery without a start (a generic webhook) its receive time.
            return startsBefore(startsAt, latest.startsAt()) ? Meaning.STALE : Meaning.RESOLVES;
        }
        if (!firing) {
            return Meaning.STALE;
        }
        // Resolved, and now firing: Prometheus gives a new occurrence a new start; the same (or an earlier) start is a
        // delayed re-send of the occurrence that already resolved. "The same" to the microsecond the database keeps:
        // a start sent with nanoseconds is stored truncated or rounded, and must not look new (its insert would break
        // the unique start and be dead-lettered).
        return startsAt.isAfter(latest.startsAt().plusNanos(999)) ? Meaning.NEW_OCCURRENCE : Meaning.STALE;
    }

    /**
     * Whether a delivery's start is earlier than a stored start, to the microsecond the database keeps: the stored one
     * may be the sent one truncated or rounded up, so only more than a microsecond above the truncated start is later.
     * {@code AlertIntake.COUNT_REPEAT} compares the same way.
     */
    static boolean startsBefore(Instant sent, Instant stored) {
        return stored.isAfter(sent.truncatedTo(ChronoUnit.MICROS).plus(1, ChronoUnit.MICROS));
    }
}
