package io.tocsin.notifier.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.NotificationOutcome;
import io.tocsin.events.NotificationTarget;
import io.tocsin.events.Topics;
import io.tocsin.notifier.channel.Delivery;
import io.tocsin.notifier.channel.SendResult;
import io.tocsin.notifier.config.NotifierConfig;
import io.tocsin.notifier.domain.Backoff;
import io.tocsin.notifier.domain.ChannelPacer;
import io.tocsin.notifier.domain.CircuitBreakers;
import io.tocsin.notifier.metrics.NotifierMetrics;
import io.tocsin.notifier.persistence.DeliveryRecord;
import io.tocsin.notifier.persistence.SubscriptionRecord;
import io.tocsin.outbox.Outbox;

/**
 * Records how a delivery went, each result in its own transaction with its outcome event for the timeline: delivered,
 * retried with backoff (a 429 after its Retry-After, giving its attempt back), or failed for good to the dead-letter
 * topic.
 */
@ApplicationScoped
public class DeliveryResults {

    private static final Logger LOG = Logger.getLogger(DeliveryResults.class);

    private final Mutiny.SessionFactory sessions;
    private final Outbox outbox;
    private final NotifierConfig config;
    private final Backoff backoff;
    private final CircuitBreakers breakers;
    private final ChannelPacer pacer;
    private final NotifierMetrics metrics;
    private final Clock clock;
    private final ObjectMapper mapper;

    public DeliveryResults(Mutiny.SessionFactory sessions, Outbox outbox, NotifierConfig config, Backoff backoff,
            CircuitBreakers breakers, ChannelPacer pacer, NotifierMetrics metrics, Clock clock, ObjectMapper mapper) {
        this.sessions = sessions;
        this.outbox = outbox;
        this.config = config;
        this.backoff = backoff;
        this.breakers = breakers;
        this.pacer = pacer;
        this.metrics = metrics;
        this.clock = clock;
        this.mapper = mapper;
    }

    /** Records a result in the delivery log and the outbox. Emits when to try again, if it is to be retried. */
    Uni<Instant> record(Claimed claimed, SendResult result) {
        Instant now = clock.instant();
        Delivery delivery = claimed.delivery();
        String channel = delivery.target().channel().wire();
        boolean lastAttempt = delivery.attempt() >= config.delivery().maxAttempts()
                && !(result instanceof SendResult.Retry retry && retry.rateLimited());
        metrics.attempt(channel, result instanceof SendResult.Retry && lastAttempt ? "failed" : outcomeName(result),
                Duration.ofNanos(System.nanoTime() - claimed.startedNanos()));
        return sessions.withTransaction((session, tx) -> session.find(DeliveryRecord.class, claimed.id())
                .chain(row -> {
                    if (!DeliveryRecord.SENDING.equals(row.status) || row.attempts != delivery.attempt()) {
                        // Taken over meanwhile (recovered as cut off): its fate is already recorded.
                        LOG.warnf("delivery %d finished after it was recovered as cut off; its result is dropped: %s",
                                row.id, result.detail());
                        return Uni.createFrom().item((Instant) null);
                    }
                    if (result instanceof SendResult.Delivered delivered) {
                        breakers.succeeded(claimed.destination());
                        pacer.learn(claimed.paceKey(), delivered.channelId());
                        row.status = DeliveryRecord.DELIVERED;
                        row.finishedAt = now;
                        row.lastError = null;
                        Uni<Void> root = delivered.channelId() == null ? Uni.createFrom().voidItem()
                                : subscription(session, row).invoke(sub -> {
                                    sub.rootChannelId = delivered.channelId();
                                    sub.rootTs = delivered.ts();
                                    sub.renderedVersion = delivery.incident().version();
                                }).replaceWithVoid();
                        return root.call(() -> outcome(session, row, NotificationOutcome.Status.DELIVERED,
                                delivered.detail(), null, now)).replaceWith((Instant) null);
                    }
                    if (result instanceof SendResult.Retry retry) {
                        return retry(session, claimed, row, retry, now);
                    }
                    if (result instanceof SendResult.Failed failed) {
                        return fail(session, row, failed.detail(), now).replaceWith((Instant) null);
                    }
                    row.status = DeliveryRecord.NOT_SENT;
                    row.finishedAt = now;
                    row.lastError = result.detail();
                    return outcome(session, row, NotificationOutcome.Status.NOT_SENT, result.detail(), null, now)
                            .replaceWith((Instant) null);
                }));
    }

    private Uni<Instant> retry(Mutiny.Session session, Claimed claimed, DeliveryRecord row, SendResult.Retry retry,
            Instant now) {
        String channel = claimed.delivery().target().channel().wire();
        if (retry.rateLimited()) {
            metrics.rateLimited(channel);
            if (claimed.paceKey() != null) {
                pacer.holdUntil(claimed.paceKey(), now.plus(retry.delay()));
            }
        } else if (breakers.failed(claimed.destination(), now)) {
            metrics.breakerOpened(channel);
            LOG.warnf("%s failed %d times in a row: holding its deliveries back for %s", claimed.destination(),
                    config.delivery().breakerThreshold(), config.delivery().breakerOpenFor());
        }
        if (!retry.rateLimited() && row.attempts >= config.delivery().maxAttempts()) {
            return fail(session, row, "gave up after " + row.attempts + " attempts; the last: " + retry.detail(), now)
                    .replaceWith((Instant) null);
        }
        int attempt = row.attempts;
        String next;
        Duration wait;
        if (retry.rateLimited()) {
            // ADR 9: a 429 says the destination is healthy but busy. Waiting as asked gives the attempt back, so a
            // rate-limited page never runs out of attempts, and its backoff after a later 5xx starts where it was.
            row.attempts--;
            wait = retry.delay() != null ? retry.delay() : backoff.after(Math.max(1, row.attempts), 0.5);
            next = "tried again in " + wait.toSeconds() + "s; a 429 uses up no attempt";
        } else {
            wait = retry.delay() != null ? retry.delay()
                    : backoff.after(row.attempts, ThreadLocalRandom.current().nextDouble());
            next = "attempt " + (row.attempts + 1) + " in " + wait.toSeconds() + "s";
        }
        row.status = DeliveryRecord.PENDING;
        row.nextAttemptAt = now.plus(wait);
        row.lastError = retry.detail();
        return outcome(session, row, attempt, NotificationOutcome.Status.RETRYING, retry.detail() + "; " + next,
                row.nextAttemptAt, now).replaceWith(row.nextAttemptAt);
    }

    /** Fails a delivery for good: outcome {@code failed} on the timeline and on the dead-letter topic. */
    Uni<Void> fail(Mutiny.Session session, DeliveryRecord row, String detail, Instant now) {
        row.status = DeliveryRecord.FAILED;
        row.finishedAt = now;
        row.lastError = detail;
        metrics.deadLettered(row.channel);
        LOG.warnf("delivery %d (%s to %s) failed for good: %s", row.id, row.action,
                new NotificationTarget(NotificationTarget.Channel.fromWire(row.channel), row.address), detail);
        return outcome(session, row, NotificationOutcome.Status.FAILED, detail, null, now).chain(outcome -> outbox
                .add(session, Topics.NOTIFICATIONS_DLQ, row.incidentId.toString(),
                        UUID.nameUUIDFromBytes(("dead-letter:" + outcome.eventId()).getBytes()), json(outcome), now));
    }

    /** Writes an outcome to the outbox, for the incident's timeline. */
    Uni<NotificationOutcome> outcome(Mutiny.Session session, DeliveryRecord row, NotificationOutcome.Status status,
            String detail, Instant nextAttemptAt, Instant now) {
        return outcome(session, row, row.attempts, status, detail, nextAttemptAt, now);
    }

    private Uni<NotificationOutcome> outcome(Mutiny.Session session, DeliveryRecord row, int attempt,
            NotificationOutcome.Status status, String detail, Instant nextAttemptAt, Instant now) {
        NotificationOutcome outcome = new NotificationOutcome(UUID.randomUUID(), row.incidentId, now, row.eventId,
                new NotificationTarget(NotificationTarget.Channel.fromWire(row.channel), row.address), row.action,
                status, attempt, detail, nextAttemptAt);
        return outbox.add(session, Topics.NOTIFICATIONS, row.incidentId.toString(), outcome.eventId(), json(outcome),
                now).replaceWith(outcome);
    }

    /** The subscription of the delivery's target to its incident: where a Slack root message is kept. */
    static Uni<SubscriptionRecord> subscription(Mutiny.Session session, DeliveryRecord row) {
        return session.createSelectionQuery("from SubscriptionRecord where incidentId = :incident "
                + "and channel = :channel and address = :address", SubscriptionRecord.class)
                .setParameter("incident", row.incidentId).setParameter("channel", row.channel)
                .setParameter("address", row.address).getSingleResultOrNull();
    }

    private static String outcomeName(SendResult result) {
        if (result instanceof SendResult.Delivered) {
            return "delivered";
        }
        if (result instanceof SendResult.Retry) {
            return "retrying";
        }
        return result instanceof SendResult.Failed ? "failed" : "not-sent";
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("outcomes always serialize", e);
        }
    }
}
