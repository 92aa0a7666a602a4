package io.tocsin.notifier.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * A row of {@code delivery}: one (event, target, action) to send, and its fate. The idempotency key is unique, so a
 * redelivered event cannot plan it twice.
 */
@Entity
@Table(name = "delivery")
public class DeliveryRecord {

    public static final String PENDING = "pending";
    public static final String SENDING = "sending";
    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";
    public static final String NOT_SENT = "not-sent";
    public static final String UNKNOWN = "unknown";

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "idempotency_key")
    public String idempotencyKey;

    @Column(name = "incident_id")
    public UUID incidentId;

    /** The incident event it was planned for. */
    @Column(name = "event_id")
    public UUID eventId;

    public String channel;

    public String address;

    /** What to send, such as {@code slack.post} (see {@code DeliveryAction}). */
    public String action;

    /** The incident event, as JSON: what a thread reply or a webhook says. */
    public String event;

    public String status;

    public int attempts;

    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;

    @Column(name = "attempt_started_at")
    public Instant attemptStartedAt;

    @Column(name = "last_error")
    public String lastError;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "finished_at")
    public Instant finishedAt;
}
