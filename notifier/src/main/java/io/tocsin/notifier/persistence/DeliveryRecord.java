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
    /** Folded into its channel's storm digest instead of a message of its own (slack.digest). */
    public static final String DIGESTED = "digested";

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

    /** Attempts that counted: a 429 gives its attempt back, so waiting as asked never uses them up. */
    public int attempts;

    /** The incident's priority when it was planned, 0 (P0) to 3 (P3): claims take lower numbers first. */
    public int priority;

    /**
     * Whether it follows up a page (a note, an update, a resolve) rather than being one: of two due deliveries, the
     * page goes first, so a channel busy with one incident's replies still carries another incident's first message.
     */
    @Column(name = "follow_up")
    public boolean followUp;

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
