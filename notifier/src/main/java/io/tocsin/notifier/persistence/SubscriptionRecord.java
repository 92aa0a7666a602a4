package io.tocsin.notifier.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of {@code subscription}: a destination notified about an incident, which hears about its later life too. */
@Entity
@Table(name = "subscription")
public class SubscriptionRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "incident_id")
    public UUID incidentId;

    /** The channel's wire name: {@code slack}, {@code pagerduty}, {@code email}, {@code webhook}. */
    public String channel;

    public String address;

    @Column(name = "created_at")
    public Instant createdAt;

    /** Slack: the channel id of the root message, once posted. */
    @Column(name = "root_channel_id")
    public String rootChannelId;

    /** Slack: the root message's {@code ts}, once posted. */
    @Column(name = "root_ts")
    public String rootTs;

    /** Slack: the incident version the root message shows. */
    @Column(name = "rendered_version")
    public long renderedVersion;

    /** Slack: the storm digest this incident was folded into instead of a root message of its own; null if none. */
    @Column(name = "digest_id")
    public Long digestId;
}
