package io.tocsin.outbox;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of {@code outbox}: an event committed with the state it describes, published by the relay afterwards. */
@Entity
@Table(name = "outbox")
public class OutboxRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "event_id")
    public UUID eventId;

    public String topic;

    @Column(name = "message_key")
    public String messageKey;

    public String payload;

    @Column(name = "created_at")
    public Instant createdAt;

    @Column(name = "published_at")
    public Instant publishedAt;

    /** Sends Kafka refused for the row itself (a record too large, an invalid topic); outages do not count. */
    public int attempts;

    /** Not sent again before this, after a refused send; null when never refused. */
    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;

    /** Set when the row was refused {@code tocsin.outbox.max-attempts} times: never sent again unless cleared. */
    @Column(name = "parked_at")
    public Instant parkedAt;

    /** The last failure's class and message (no payload). */
    @Column(name = "last_error")
    public String lastError;
}
