package io.tocsin.notifier.persistence;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A row of {@code incident_view}: the incident as the notifier renders it, built from its events. */
@Entity
@Table(name = "incident_view")
public class IncidentViewRecord {

    @Id
    @Column(name = "incident_id")
    public UUID incidentId;

    public String title;

    public String service;

    public String priority;

    /** {@code open}, {@code acknowledged} or {@code resolved}. */
    public String state;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "group_labels")
    public Map<String, String> groupLabels;

    /** The first alert's labels. */
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> labels;

    /** The first alert's annotations: summary, description, runbook_url. */
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> annotations;

    @Column(name = "generator_url")
    public String generatorUrl;

    /** Alert occurrences attached so far. */
    public int alerts;

    /** Of those, still firing. */
    public int firing;

    @Column(name = "acknowledged_by")
    public String acknowledgedBy;

    @Column(name = "resolved_by")
    public String resolvedBy;

    @Column(name = "snoozed_until")
    public Instant snoozedUntil;

    @Column(name = "escalation_level")
    public Integer escalationLevel;

    @Column(name = "opened_at")
    public Instant openedAt;

    @Column(name = "updated_at")
    public Instant updatedAt;

    /** Bumped by every event: a Slack root message that shows an older version is updated. */
    public long version;
}
