package io.tocsin.notifier.service;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.NotificationOutcome;
import io.tocsin.events.NotificationTarget;
import io.tocsin.events.Priority;
import io.tocsin.events.SlackDigestSettings;
import io.tocsin.notifier.domain.StormDigest;
import io.tocsin.notifier.persistence.DeliveryRecord;
import io.tocsin.notifier.persistence.SlackDigestMemberRecord;
import io.tocsin.notifier.persistence.SlackDigestRecord;
import io.tocsin.notifier.persistence.SubscriptionRecord;

/**
 * The intake side of the storm digest: decides, in the transaction that plans an incident's first Slack message,
 * whether the channel is in a storm, and if so folds the incident into the channel's digest instead (a member row, the
 * digest marked for a rewrite, the delivery finished as {@code digested} with a timeline outcome saying where it was
 * announced). {@link DigestMessages} posts and rewrites the message.
 */
@ApplicationScoped
public class DigestFolding {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    /** The one active digest of a channel, made if missing; another instance making it at once is no error. */
    private static final String OPEN = "INSERT INTO notifier.slack_digest (address, started_at, last_folded_at, version, "
            + "rendered_version) VALUES (:address, :now, :now, 0, 0) ON CONFLICT (address) WHERE ended_at IS NULL "
            + "DO UPDATE SET last_folded_at = EXCLUDED.last_folded_at RETURNING id";

    private final StormDigest digest;
    private final DeliveryResults results;

    public DigestFolding(StormDigest digest, DeliveryResults results) {
        this.digest = digest;
        this.results = results;
    }

    /**
     * Whether an incident's first message to this Slack address is folded: the digest is on, the incident is P2 or
     * P3, and the channel has had the threshold of new incidents within the window already; by the settings of the
     * policy that paged it where it has its own ({@code own}, either part may be null), else by the notifier's.
     */
    Uni<Boolean> folds(Mutiny.Session session, String address, int priorityRank, Instant now,
            SlackDigestSettings own) {
        Priority priority = Priority.values()[Math.min(priorityRank, Priority.P3.ordinal())];
        StormDigest digest = effective(own);
        if (!digest.folds(priority, Long.MAX_VALUE)) {
            return Uni.createFrom().item(false);
        }
        return session.createSelectionQuery("select count(*) from SubscriptionRecord where channel = 'slack' "
                + "and address = :address and createdAt > :since", Long.class)
                .setParameter("address", address).setParameter("since", now.minus(digest.window()))
                .getSingleResult().map(recent -> digest.folds(priority, recent));
    }

    /**
     * The settings a fold is decided by. The notifier's off switch wins (with it off, no digest is ever posted); a
     * policy's window can be shorter than the notifier's but not longer, since a storm ends on the notifier's window
     * and a longer count would fold incidents into one-incident storms.
     */
    StormDigest effective(SlackDigestSettings own) {
        if (own == null || !digest.enabled()) {
            return digest;
        }
        int threshold = own.threshold() == null ? digest.threshold() : Math.max(0, own.threshold());
        Duration window = own.windowSeconds() == null || own.windowSeconds() <= 0
                || own.windowSeconds() >= digest.window().toSeconds() ? digest.window()
                        : Duration.ofSeconds(own.windowSeconds());
        return new StormDigest(threshold, window);
    }

    /** Folds the planned root message {@code delivery} (not yet persisted) into the address's digest. */
    Uni<Void> fold(Mutiny.Session session, DeliveryRecord delivery, SubscriptionRecord subscription, Instant now) {
        // One statement finds or makes the active digest and locks it: a storm ending meanwhile cannot slip between.
        return session.createNativeQuery(OPEN, Long.class).setParameter("address", delivery.address)
                .setParameter("now", now).getSingleResult()
                .chain(id -> session.find(SlackDigestRecord.class, id))
                .chain(active -> {
                    active.lastFoldedAt = now;
                    active.version++;
                    subscription.digestId = active.id;
                    SlackDigestMemberRecord member = new SlackDigestMemberRecord();
                    member.digestId = active.id;
                    member.incidentId = delivery.incidentId;
                    member.foldedAt = now;
                    delivery.action = "slack.digest";
                    delivery.status = DeliveryRecord.DIGESTED;
                    delivery.finishedAt = now;
                    return session.persist(member).call(() -> session.persist(delivery))
                            .call(() -> count(session, active.id))
                            .chain(members -> results.outcome(session, delivery, NotificationOutcome.Status.DIGESTED,
                                    "announced in the storm digest of " + delivery.address + " (new incident "
                                            + members + " of the storm since " + TIME.format(active.startedAt)
                                            + ") instead of a message of its own",
                                    null, now))
                            .replaceWithVoid();
                });
    }

    private static Uni<Long> count(Mutiny.Session session, long digestId) {
        return session.flush().chain(() -> session.createSelectionQuery(
                "select count(*) from SlackDigestMemberRecord where digestId = :id", Long.class)
                .setParameter("id", digestId).getSingleResult());
    }

    /**
     * Marks the digests the incident was folded into for a rewrite: its state changed. Its other Slack follow-ups are
     * not sent on their own; the digest's counts show them.
     */
    static Uni<Void> touch(Mutiny.Session session, List<SubscriptionRecord> subscriptions) {
        List<Long> digests = subscriptions.stream().map(s -> s.digestId).filter(id -> id != null).distinct().toList();
        if (digests.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return session.createMutationQuery("update SlackDigestRecord set version = version + 1 where id in :ids")
                .setParameter("ids", digests).executeUpdate().replaceWithVoid();
    }

    /** Whether a planned Slack step goes to a subscription folded into a digest, and so is not sent on its own. */
    static boolean folded(NotificationTarget target, List<SubscriptionRecord> subscriptions) {
        return target.channel() == NotificationTarget.Channel.SLACK && subscriptions.stream()
                .anyMatch(s -> s.digestId != null && "slack".equals(s.channel) && s.address.equals(
                        target.address() == null ? "" : target.address()));
    }
}
