package io.tocsin.escalation.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of {@code escalation_timer}: a level to fire, or an SLA to check, at {@code dueAt}. */
@Entity
@Table(name = "escalation_timer")
public class TimerRecord {

    /** What a timer does when it comes due. */
    public static final String LEVEL = "level";
    public static final String SLA = "sla";
    /** Ends a snooze. */
    public static final String WAKE = "wake";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "incident_id")
    public UUID incidentId;

    /** {@link #LEVEL}, {@link #SLA} or {@link #WAKE}. */
    public String kind;

    public int level;

    public int cycle;

    @Column(name = "due_at")
    public Instant dueAt;

    @Column(name = "fired_at")
    public Instant firedAt;

    @Column(name = "cancelled_at")
    public Instant cancelledAt;

    /** Failed firings so far; a passing database outage does not count. */
    public int attempts;

    /** When a timer whose firing failed is tried again; {@code null} until it fails. */
    @Column(name = "retry_at")
    public Instant retryAt;

    @Column(name = "last_error")
    public String lastError;

    /** Set when the timer was given up after its attempts; it never fires. */
    @Column(name = "failed_at")
    public Instant failedAt;

    public static TimerRecord of(UUID incidentId, String kind, int level, int cycle, Instant dueAt) {
        TimerRecord timer = new TimerRecord();
        timer.incidentId = incidentId;
        timer.kind = kind;
        timer.level = level;
        timer.cycle = cycle;
        timer.dueAt = dueAt;
        return timer;
    }
}
