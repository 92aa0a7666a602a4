package io.tocsin.notifier.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.NotificationTarget;
import io.tocsin.notifier.channel.SendResult;
import io.tocsin.notifier.channel.slack.SlackChannel;
import io.tocsin.notifier.config.NotifierConfig;
import io.tocsin.notifier.domain.ChannelPacer;
import io.tocsin.notifier.domain.CircuitBreakers;
import io.tocsin.notifier.domain.IncidentSnapshot;
import io.tocsin.notifier.domain.SlackTarget;
import io.tocsin.notifier.domain.StormDigest;
import io.tocsin.notifier.metrics.NotifierMetrics;
import io.tocsin.notifier.persistence.IncidentViewRecord;
import io.tocsin.notifier.persistence.SlackDigestRecord;
import io.tocsin.outbox.Rounds;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Posts and rewrites storm digests: a digest whose members changed since its message was written is rewritten, one
 * message per channel and pace interval however many incidents were folded in between; a storm with no fold for a
 * whole window is declared over, and its message says so. The first post of a digest is leased to one instance, so
 * two instances never post two digests for one storm.
 */
@ApplicationScoped
public class DigestMessages {

    private static final Logger LOG = Logger.getLogger(DigestMessages.class);
    private static final int BATCH = 16;
    /** A first post not confirmed within this long (the instance died) may be tried again by another. */
    static final Duration POSTING_LEASE = Duration.ofMinutes(2);

    private final Mutiny.SessionFactory sessions;
    private final SlackChannel slack;
    private final StormDigest digest;
    private final NotifierConfig config;
    private final CircuitBreakers breakers;
    private final ChannelPacer pacer;
    private final NotifierMetrics metrics;
    private final Clock clock;
    private final Vertx vertx;
    /** Digests being written now: a second, slower write could land last. */
    private final Set<Long> writing = ConcurrentHashMap.newKeySet();

    public DigestMessages(Mutiny.SessionFactory sessions, SlackChannel slack, StormDigest digest,
            NotifierConfig config, CircuitBreakers breakers, ChannelPacer pacer, NotifierMetrics metrics, Clock clock,
            Vertx vertx) {
        this.sessions = sessions;
        this.slack = slack;
        this.digest = digest;
        this.config = config;
        this.breakers = breakers;
        this.pacer = pacer;
        this.metrics = metrics;
        this.clock = clock;
        this.vertx = vertx;
    }

    /** Ends the storms that are over and starts the writes that are due; {@code earliest} learns when a paced one may go. */
    Uni<Void> start(Instant now, AtomicReference<Instant> earliest) {
        if (!digest.enabled()
                || slack.notConfigured(new NotificationTarget(NotificationTarget.Channel.SLACK, "#any")) != null) {
            return Uni.createFrom().voidItem();
        }
        return sessions.withTransaction((session, tx) -> session.createMutationQuery("update SlackDigestRecord "
                + "set endedAt = :now, version = version + 1 where endedAt is null and lastFoldedAt <= :quiet")
                .setParameter("now", now).setParameter("quiet", now.minus(digest.window())).executeUpdate()
                .chain(() -> session.createSelectionQuery("from SlackDigestRecord where renderedVersion < version "
                        + "order by renderedAt nulls first, id", SlackDigestRecord.class).setMaxResults(BATCH).getResultList()))
                .invoke(due -> {
                    for (SlackDigestRecord row : due) {
                        if (breakers.isOpen("slack", now)) {
                            return;
                        }
                        if (writing.contains(row.id)) {
                            continue;
                        }
                        Instant free = pacer.acquire(row.channelId != null ? row.channelId : channel(row.address), now,
                                clock.instant());
                        if (free != null) {
                            earliest.accumulateAndGet(free, (a, b) -> a == null || b.isBefore(a) ? b : a);
                            continue;
                        }
                        write(row);
                    }
                }).replaceWithVoid();
    }

    private void write(SlackDigestRecord row) {
        if (!writing.add(row.id)) {
            return;
        }
        Context context = Rounds.fresh(vertx);
        long version = row.version;
        Uni.createFrom().deferred(() -> lease(row).chain(leased -> {
            if (!leased) {
                return Uni.createFrom().voidItem();
            }
            return members(row.id).chain(members -> {
                StormDigest.Text text = digest.render(members, row.startedAt, row.endedAt, row.address);
                Uni<SendResult> sent = row.ts == null ? slack.postDigest(channel(row.address), text)
                        : slack.updateDigest(row.channelId, row.ts, text);
                return sent.emitOn(task -> context.runOnContext(ignored -> task.run()))
                        .chain(result -> record(row, version, result));
            });
        })).runSubscriptionOn(task -> context.runOnContext(ignored -> task.run()))
                // A failure after the lease must not keep the digest from being posted for the lease's length.
                .onFailure().call(failure -> sessions.withTransaction((session, tx) -> session.createMutationQuery(
                        "update SlackDigestRecord set postingSince = null where id = :id and ts is null")
                        .setParameter("id", row.id).executeUpdate()).onFailure().recoverWithNull())
                .onTermination().invoke(() -> writing.remove(row.id)).subscribe().with(done -> {
                }, failure -> LOG.warnf("writing the storm digest of %s failed: %s", row.address,
                        failure.getMessage()));
    }

    /** The first post goes to one instance only; a rewrite needs no lease (it is the same message either way). */
    private Uni<Boolean> lease(SlackDigestRecord row) {
        if (row.ts != null) {
            return Uni.createFrom().item(true);
        }
        Instant now = clock.instant();
        return sessions.withTransaction((session, tx) -> session.createMutationQuery("update SlackDigestRecord "
                + "set postingSince = :now where id = :id and ts is null "
                + "and (postingSince is null or postingSince < :stale)").setParameter("now", now)
                .setParameter("id", row.id).setParameter("stale", now.minus(POSTING_LEASE)).executeUpdate()
                .map(updated -> updated == 1));
    }

    private Uni<List<StormDigest.Member>> members(long digestId) {
        return sessions.withSession(session -> session.createSelectionQuery("select v from SlackDigestMemberRecord m "
                + "join IncidentViewRecord v on v.incidentId = m.incidentId where m.digestId = :id order by m.id",
                IncidentViewRecord.class).setParameter("id", digestId).getResultList())
                .map(views -> views.stream().map(view -> {
                    IncidentSnapshot incident = Projection.snapshot(view, config.incidentUrl());
                    return new StormDigest.Member(incident.title(), incident.groupLabels().getOrDefault("alertname",
                            incident.labels().get("alertname")), incident.service(), incident.state(), incident.url());
                }).toList());
    }

    private Uni<Void> record(SlackDigestRecord row, long version, SendResult result) {
        Instant now = clock.instant();
        if (result instanceof SendResult.Retry retry) {
            metrics.slackUpdated("retrying");
            if (retry.rateLimited()) {
                pacer.holdUntil(row.channelId != null ? row.channelId : channel(row.address), now.plus(retry.delay()));
            } else {
                breakers.failed("slack", now);
            }
            return sessions.withTransaction((session, tx) -> session.createMutationQuery("update SlackDigestRecord "
                    + "set postingSince = null where id = :id and ts is null").setParameter("id", row.id)
                    .executeUpdate()).replaceWithVoid();
        }
        breakers.succeeded("slack");
        String error = result instanceof SendResult.Failed failed ? failed.detail() : null;
        if (error != null) {
            LOG.warnf("the storm digest of %s could not be written: %s", row.address, error);
        }
        metrics.slackUpdated(error == null ? "delivered" : "failed");
        SendResult.Delivered delivered = result instanceof SendResult.Delivered d ? d : null;
        if (delivered != null && delivered.channelId() != null) {
            pacer.learn(channel(row.address), delivered.channelId());
        }
        return sessions.withTransaction((session, tx) -> session.createMutationQuery("update SlackDigestRecord "
                + "set renderedVersion = :version, renderedAt = :now, postingSince = null, lastError = :error, "
                + "channelId = coalesce(channelId, :channelId), ts = coalesce(ts, :ts) "
                + "where id = :id and renderedVersion < :version").setParameter("version", version)
                .setParameter("now", now).setParameter("error", error).setParameter("id", row.id)
                .setParameter("channelId", delivered == null ? null : delivered.channelId())
                .setParameter("ts", delivered == null ? null : delivered.ts()).executeUpdate())
                // Posted but not recorded would post a second digest once the lease ran out.
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).atMost(10)
                .replaceWithVoid();
    }

    private static String channel(String address) {
        try {
            return SlackTarget.parse(address).channel();
        } catch (IllegalArgumentException e) {
            return address;
        }
    }
}
