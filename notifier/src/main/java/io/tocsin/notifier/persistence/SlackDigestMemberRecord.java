package io.tocsin.notifier.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of {@code slack_digest_member}: an incident announced in a storm digest instead of on its own. */
@Entity
@Table(name = "slack_digest_member")
public class SlackDigestMemberRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "digest_id")
    public Long digestId;

    @Column(name = "incident_id")
    public UUID incidentId;

    @Column(name = "folded_at")
    public Instant foldedAt;
}
