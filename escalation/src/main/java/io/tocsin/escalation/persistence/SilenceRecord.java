package io.tocsin.escalation.persistence;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A row of {@code silence}: label matchers and a time range during which notifications are withheld. */
@Entity
@Table(name = "silence")
public class SilenceRecord {

    @Id
    public UUID id;

    /** Label name to exact value, or {@code ~regex}. */
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, String> matchers;

    @Column(name = "starts_at")
    public Instant startsAt;

    @Column(name = "ends_at")
    public Instant endsAt;

    @Column(name = "created_by")
    public String createdBy;

    @Column(name = "created_at")
    public Instant createdAt;

    public String comment;
}
