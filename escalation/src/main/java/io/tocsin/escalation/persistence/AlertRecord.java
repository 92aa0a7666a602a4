package io.tocsin.escalation.persistence;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A row of {@code alert}: one occurrence of an alert (a fingerprint from one start until it resolves). */
@Entity
@Table(name = "alert")
public class AlertRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "incident_id")
    public UUID incidentId;

    public String fingerprint;

    /** {@code firing} or {@code resolved}. */
    public String status;

    public String priority;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> labels;

    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> annotations;

    @Column(name = "generator_url")
    public String generatorUrl;

    public String source;

    @Column(name = "starts_at")
    public Instant startsAt;

    @Column(name = "ends_at")
    public Instant endsAt;

    @Column(name = "first_seen_at")
    public Instant firstSeenAt;

    @Column(name = "last_seen_at")
    public Instant lastSeenAt;

    public long deliveries;
}
