package io.tocsin.runbook.persistence;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A row of {@code incident_view}: the incident as runbooks see it, built from its events. */
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

    /** The group labels and the first alert's labels. */
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> labels;

    /** The first alert's annotations. */
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> annotations;

    /** Opened, and the first alert not seen yet: runbooks that start on opening wait for its labels. */
    public boolean opening;

    @Column(name = "opened_at")
    public Instant openedAt;

    @Column(name = "updated_at")
    public Instant updatedAt;
}
