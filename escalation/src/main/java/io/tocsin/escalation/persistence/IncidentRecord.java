package io.tocsin.escalation.persistence;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A row of {@code incident}. */
@Entity
@Table(name = "incident")
public class IncidentRecord {

    @Id
    public UUID id;

    @Column(name = "group_key")
    public String groupKey;

    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "group_labels")
    public Map<String, String> groupLabels;

    public String title;

    public String service;

    /** {@code open}, {@code acknowledged} or {@code resolved}. */
    public String state;

    public String priority;

    @Column(name = "opened_at")
    public Instant openedAt;

    @Column(name = "last_alert_at")
    public Instant lastAlertAt;

    @Column(name = "resolved_at")
    public Instant resolvedAt;

    /** The escalation policy in force. */
    public String policy;

    @Column(name = "acknowledged_at")
    public Instant acknowledgedAt;

    @Column(name = "acknowledged_by")
    public String acknowledgedBy;

    /** The last level fired, -1 before the first. */
    @Column(name = "escalation_level")
    public int escalationLevel = -1;

    @Column(name = "escalation_cycle")
    public int escalationCycle;

    @Column(name = "sla_breached_at")
    public Instant slaBreachedAt;

    /** A priority set by hand; while set, the alerts no longer change the priority. */
    @Column(name = "priority_override")
    public String priorityOverride;

    @Column(name = "snoozed_until")
    public Instant snoozedUntil;

    @Version
    public long version;
}
