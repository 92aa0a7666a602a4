package io.tocsin.notifier.persistence;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of {@code slack_digest}: one storm in one Slack channel, shown as one message updated in place. */
@Entity
@Table(name = "slack_digest")
public class SlackDigestRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    /** The Slack target's address, as the policy names it ({@code #db-oncall}). */
    public String address;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "last_folded_at")
    public Instant lastFoldedAt;

    /** When the storm was declared over (no fold for a whole window); null while it lasts. */
    @Column(name = "ended_at")
    public Instant endedAt;

    @Column(name = "channel_id")
    public String channelId;

    public String ts;

    /** While one instance posts the first message; a second waits for it rather than posting another. */
    @Column(name = "posting_since")
    public Instant postingSince;

    public long version;

    @Column(name = "rendered_version")
    public long renderedVersion;

    @Column(name = "rendered_at")
    public Instant renderedAt;

    @Column(name = "last_error")
    public String lastError;
}
