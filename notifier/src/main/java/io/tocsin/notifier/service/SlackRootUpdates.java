package io.tocsin.notifier.service;

import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.NotificationOutcome;
import io.tocsin.events.NotificationTarget;
import io.tocsin.notifier.channel.SendResult;
import io.tocsin.notifier.channel.slack.SlackChannel;
import io.tocsin.notifier.config.NotifierConfig;
import io.tocsin.notifier.domain.ChannelPacer;
import io.tocsin.notifier.domain.CircuitBreakers;
import io.tocsin.notifier.domain.IncidentSnapshot;
import io.tocsin.notifier.domain.SlackTarget;
import io.tocsin.notifier.metrics.NotifierMetrics;
import io.tocsin.notifier.persistence.DeliveryRecord;
import io.tocsin.notifier.persistence.IncidentViewRecord;
import io.tocsin.notifier.persistence.SubscriptionRecord;
import io.tocsin.outbox.OutboxRelay;
import io.tocsin.outbox.Rounds;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Rewrites Slack root messages that show an older version of their incident: one update per channel and pace
 * interval however many events came in between, which is what turns a burst of alerts into one "+12 alerts".
 */
@ApplicationScoped
public class SlackRootUpdates {

    private static final Logger LOG = Logger.getLogger(SlackRootUpdates.class);
    private static final int BATCH = 64;

    private final Mutiny.SessionFactory sessions;
    private final SlackChannel slack;
    private final DeliveryResults results;
    private final OutboxRelay relay;
    private final NotifierConfig config;
    private final CircuitBreakers breakers;
    private final ChannelPacer pacer;
    private final NotifierMetrics metrics;
    private final Clock clock;
    private final Vertx vertx;
    /** Subscriptions whose root message is being rewritten now: a second, slower rewrite could land last. */
    private final Set<Long> updating = ConcurrentHashMap.newKeySet();

    public SlackRootUpdates(Mutiny.SessionFactory sessions, SlackChannel slack, DeliveryResults results,
            OutboxRelay relay, NotifierConfig config, CircuitBreakers breakers, ChannelPacer pacer,
            NotifierMetrics metrics, Clock clock, Vertx vertx) {
        this.sessions = sessions;
        this.slack = slack;
        this.results = results;
        this.relay = relay;
        this.config = config;
        this.breakers = breakers;
        this.pacer = pacer;
        this.metrics = metrics;
        this.clock = clock;
        this.vertx = vertx;
    }

    /** Starts the rewrites that are due; {@code earliest} learns when a paced one may go. */
    Uni<Void> start(Instant now, AtomicReference<Instant> earliest) {
        if (slack.notConfigured(new NotificationTarget(NotificationTarget.Channel.SLACK, "#any")) != null) {
            return Uni.createFrom().voidItem();
        }
        return sessions.withSession(session -> session.createSelectionQuery(
                "select s, v from SubscriptionRecord s, IncidentViewRecord v where v.incidentId = s.incidentId "
                        + "and s.rootTs is not null and s.renderedVersion < v.version order by v.updatedAt",
                Object[].class).setMaxResults(BATCH).getResultList())
                .invoke(rows -> {
                    for (Object[] pair : rows) {
                        SubscriptionRecord sub = (SubscriptionRecord) pair[0];
                        IncidentViewRecord view = (IncidentViewRecord) pair[1];
                        if (breakers.isOpen("slack", now)) {
                            return;
                        }
                        if (updating.contains(sub.id)) {
                            continue;
                        }
                        Instant free = pacer.acquire(sub.rootChannelId, now, clock.instant());
                        if (free != null) {
                            earliest.accumulateAndGet(free, (a, b) -> a == null || b.isBefore(a) ? b : a);
                            continue;
                        }
                        update(sub, Projection.snapshot(view, config.incidentUrl()));
                    }
                }).replaceWithVoid();
    }

    private void update(SubscriptionRecord sub, IncidentSnapshot incident) {
        String mentions;
        try {
            mentions = SlackTarget.parse(sub.address).mentionLine();
        } catch (IllegalArgumentException e) {
            mentions = "";
        }
        if (!updating.add(sub.id)) {
            return;
        }
        Context context = Rounds.fresh(vertx);
        slack.update(incident, sub.rootChannelId, sub.rootTs, mentions)
                .emitOn(task -> context.runOnContext(ignored -> task.run())).chain(result -> {
                    Instant now = clock.instant();
                    if (result instanceof SendResult.Retry retry) {
                        metrics.slackUpdated("retrying");
                        if (retry.rateLimited()) {
                            pacer.holdUntil(sub.rootChannelId, now.plus(retry.delay()));
                        } else {
                            breakers.failed("slack", now);
                        }
                        return Uni.createFrom().voidItem();
                    }
                    breakers.succeeded("slack");
                    metrics.slackUpdated(result instanceof SendResult.Delivered ? "delivered" : "failed");
                    return sessions.withTransaction((session, tx) -> session.createMutationQuery(
                            "update SubscriptionRecord set renderedVersion = :version where id = :id and renderedVersion < :version")
                            .setParameter("version", incident.version()).setParameter("id", sub.id).executeUpdate()
                            .call(() -> {
                                if (!(result instanceof SendResult.Failed failed)) {
                                    return Uni.createFrom().voidItem();
                                }
                                LOG.warnf("updating the Slack message of incident %s failed for good: %s", incident.id(),
                                        failed.detail());
                                DeliveryRecord row = new DeliveryRecord();
                                row.incidentId = incident.id();
                                row.eventId = incident.id();
                                row.channel = NotificationTarget.Channel.SLACK.wire();
                                row.address = sub.address;
                                row.action = "slack.update";
                                row.attempts = 1;
                                return results.outcome(session, row, NotificationOutcome.Status.FAILED,
                                        failed.detail(), null, now);
                            }));
                }).onTermination().invoke(() -> updating.remove(sub.id)).subscribe().with(done -> relay.kick(),
                        failure -> LOG.warnf("updating a Slack message failed: %s", failure.getMessage()));
    }
}
