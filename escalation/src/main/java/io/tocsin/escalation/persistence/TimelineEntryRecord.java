package io.tocsin.escalation.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A row of {@code timeline_entry}: one line of an incident's history, the same event that went to the outbox (or, for
 * an alert attached in bulk, a member of the {@code alerts.attached} that did: ADR 18).
 */
@Entity
@Table(name = "timeline_entry")
public class TimelineEntryRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "incident_id")
    public UUID incidentId;

    @Column(name = "event_id")
    public UUID eventId;

    public String kind;

    public String actor;

    @Column(name = "occurred_at")
    public Instant occurredAt;

    public String summary;
}
