package io.tocsin.outbox;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of {@code processed_message}: a consumed message that must not be applied twice. */
@Entity
@Table(name = "processed_message")
public class ProcessedMessageRecord {

    @Id
    @Column(name = "message_id")
    public String messageId;

    @Column(name = "processed_at")
    public Instant processedAt;
}
