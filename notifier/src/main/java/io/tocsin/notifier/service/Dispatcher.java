package io.tocsin.notifier.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.NotificationOutcome;
import io.tocsin.events.NotificationTarget;
import io.tocsin.events.Topics;
import io.tocsin.notifier.channel.Channels;
import io.tocsin.notifier.channel.Delivery;
import io.tocsin.notifier.channel.NotificationChannel;
import io.tocsin.notifier.channel.SendResult;
import io.tocsin.notifier.channel.slack.SlackChannel;
import io.tocsin.notifier.config.NotifierConfig;
import io.tocsin.notifier.domain.Backoff;
import io.tocsin.notifier.domain.ChannelPacer;
import io.tocsin.notifier.domain.CircuitBreakers;
import io.tocsin.notifier.domain.DeliveryAction;
import io.tocsin.notifier.domain.IncidentSnapshot;
import io.tocsin.notifier.domain.SlackTarget;
import io.tocsin.notifier.metrics.NotifierMetrics;
import io.tocsin.notifier.persistence.DeliveryRecord;
import io.tocsin.notifier.persistence.IncidentViewRecord;
import io.tocsin.notifier.persistence.SubscriptionRecord;
import io.tocsin.outbox.Outbox;
import io.tocsin.outbox.OutboxRelay;
import io.tocsin.outbox.Rounds;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Sends due deliveries. A round claims them ({@code FOR UPDATE SKIP LOCKED}, marked {@code sending} before any call,
 * so a redelivered event or a second instance never sends one twice), holds back those whose destination's circuit
 * breaker is open or whose Slack channel had a message less than a second ago, and sends the rest concurrently. Each
 * result is recorded in its own transaction with its outcome event for the timeline; failures are retried with
 * backoff, 429s after Retry-After, and permanent failures go to the dead-letter topic. A round also rewrites Slack
 * root messages that show an older version of their incident.
 */
@ApplicationScoped
public class Dispatcher {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class);
    private static final int MAX_IN_FLIGHT = 64;

    private final Mutiny.SessionFactory sessions;
    private final Channels channels;
    private final SlackChannel slack;
    private final Outbox outbox;
    private final OutboxRelay relay;
    private final NotifierConfig config;
    private final Backoff backoff;
    private final CircuitBreakers breakers;
    private final ChannelPacer pacer;
    private final NotifierMetrics metrics;
    private final Clock clock;
    private final ObjectMapper mapper;
    private final Vertx vertx;
    private final Rounds rounds;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Subscriptions whose root message is being rewritten now: a second, slower rewrite could land last. */
    private final java.util.Set<Long> updating = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public Dispatcher(Mutiny.SessionFactory sessions, Channels channels, SlackChannel slack, Outbox outbox,
            OutboxRelay relay, NotifierConfig config, Backoff backoff, CircuitBreakers breakers, ChannelPacer pacer,
            NotifierMetrics metrics, Clock clock, ObjectMapper mapper, Vertx vertx) {
        this.sessions = sessions;
        this.channels = channels;
        this.slack = slack;
        this.outbox = outbox;
        this.relay = relay;
        this.config = config;
        this.backoff = backoff;
        this.breakers = breakers;
        this.pacer = pacer;
        this.metrics = metrics;
        this.clock = clock;
        this.mapper = mapper;
        this.vertx = vertx;
        this.rounds = new Rounds(vertx, "a delivery round", () -> round().replaceWith(false));
    }

    /** A claimed delivery on its way out. */
    private record Claimed(long id, Delivery delivery, NotificationChannel channel, String destination,
            String paceKey, long startedNanos) {
    }

    /** Looks for due deliveries and attempts cut off by a crash; new events start a round at once through kick. */
    @Scheduled(every = "${tocsin.notifier.delivery.interval:1s}", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> tick() {
        return recoverInFlight().onFailure()
                .invoke(failure -> LOG.warnf("looking for cut-off deliveries failed: %s", failure.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid().invoke(this::kick);
    }

    /** Runs a round now; a kick during a round makes it go round again. */
    public void kick() {
        rounds.kick();
    }

    /** Claims and starts due deliveries, then brings stale Slack root messages up to date. Emits how many started. */
    Uni<Integer> round() {
        AtomicReference<Instant> earliest = new AtomicReference<>();
        return claim(earliest).invoke(claimed -> claimed.forEach(this::start))
                .call(() -> updateRoots(earliest))
                .invoke(() -> wakeAt(earliest.get()))
                .map(List::size);
    }

    private Uni<List<Claimed>> claim(AtomicReference<Instant> earliest) {
        int room = MAX_IN_FLIGHT - inFlight.get();
        if (room <= 0) {
            return Uni.createFrom().item(List.of());
        }
        Instant now = clock.instant();
        return sessions.withTransaction((session, tx) -> session
                .createSelectionQuery("from DeliveryRecord where status = 'pending' and nextAttemptAt <= :now "
                        + "order by nextAttemptAt, id", DeliveryRecord.class)
                .setParameter("now", now)
                .setMaxResults(room)
                .setLockMode(LockMode.UPGRADE_SKIPLOCKED)
                .getResultList()
                .chain(rows -> {
                    List<Claimed> claimed = new ArrayList<>();
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (DeliveryRecord row : rows) {
                        chain = chain.call(() -> inOrder(session, row)
                                // Behind an older delivery: left due, and looked at again when that one finishes.
                                .chain(first -> first ? prepare(session, row, now, earliest)
                                        : Uni.createFrom().<Claimed> nullItem())
                                .onFailure().recoverWithUni(failure -> {
                                    // One row that cannot even be prepared must not hold back every other delivery.
                                    LOG.warnf("delivery %d cannot be prepared and fails: %s", row.id, failure);
                                    return fail(session, row, "could not be prepared: " + failure, now)
                                            .replaceWith((Claimed) null);
                                })
                                .invoke(c -> {
                                    if (c != null) {
                                        claimed.add(c);
                                    }
                                }));
                    }
                    return chain.replaceWith(claimed);
                }))
                .invoke(claimed -> {
                    if (!claimed.isEmpty()) {
                        relay.kick();
                    }
                });
    }

    /** Decides about one due row: claim it (emits it), hold it back, or finish it as not sent (emits null). */
    private Uni<Claimed> prepare(Mutiny.Session session, DeliveryRecord row, Instant now,
            AtomicReference<Instant> earliest) {
        DeliveryAction action = DeliveryAction.fromWire(row.action);
        NotificationTarget target = new NotificationTarget(NotificationTarget.Channel.fromWire(row.channel),
                row.address);
        NotificationChannel channel = channels.get(target.channel());
        String notConfigured = channel == null || action == DeliveryAction.UNSUPPORTED
                ? "not sent: Tocsin cannot send to \"" + row.channel + "\" targets"
                : channel.notConfigured(target);
        if (notConfigured != null) {
            row.status = DeliveryRecord.NOT_SENT;
            row.finishedAt = now;
            row.lastError = notConfigured;
            metrics.attempt(target.channel().wire(), "not-sent", null);
            if (!row.event.contains("\"type\":\"notification.requested\"")) {
                // The page already said "not sent" on the timeline; its follow-ups would only repeat it.
                return Uni.createFrom().nullItem();
            }
            LOG.infof("notification for incident %s to %s (%s): %s", row.incidentId, target, row.action,
                    notConfigured);
            return outcome(session, row, NotificationOutcome.Status.NOT_SENT, notConfigured, null, now)
                    .replaceWith((Claimed) null);
        }
        String destination = channel.destination(target);
        Instant held = breakers.heldUntil(destination, now);
        if (held != null) {
            return defer(row, held, earliest);
        }
        Uni<SubscriptionRecord> subscription = target.channel() == NotificationTarget.Channel.SLACK
                ? subscription(session, row)
                : Uni.createFrom().nullItem();
        return subscription.chain(sub -> {
            postWithoutRoot(row, action, sub);
            String paceKey = null;
            if (target.channel() == NotificationTarget.Channel.SLACK) {
                paceKey = paceKey(sub, row.address);
                Instant free = pacer.acquire(paceKey, now);
                if (free != null) {
                    return defer(row, free, earliest);
                }
            }
            String key = paceKey;
            return session.find(IncidentViewRecord.class, row.incidentId).map(view -> {
                row.status = DeliveryRecord.SENDING;
                row.attempts++;
                row.attemptStartedAt = now;
                IncidentSnapshot incident = Projection.snapshot(view, config.incidentUrl());
                Delivery delivery = new Delivery(row.idempotencyKey, DeliveryAction.fromWire(row.action), target,
                        incident, event(row.event), row.event, row.attempts, sub == null ? null : sub.rootChannelId,
                        sub == null ? null : sub.rootTs);
                return new Claimed(row.id, delivery, channel, destination, key, System.nanoTime());
            });
        });
    }

    /**
     * Whether no older delivery to the same target of the same incident is still on its way: a PagerDuty trigger
     * backing off must not arrive after the resolve that followed it, nor Slack replies out of order.
     */
    private Uni<Boolean> inOrder(Mutiny.Session session, DeliveryRecord row) {
        return session.createSelectionQuery("select count(*) from DeliveryRecord where incidentId = :incident "
                + "and channel = :channel and address = :address and id < :id and status in ('pending', 'sending')",
                Long.class)
                .setParameter("incident", row.incidentId).setParameter("channel", row.channel)
                .setParameter("address", row.address).setParameter("id", row.id)
                .getSingleResult().map(older -> older == 0);
    }

    /**
     * A thread reply needs its root message. The root post is older than any reply to it, so {@link #inOrder} has
     * already held the reply while the post was on its way; a reply that finds no root here means the post failed
     * for good, and it is posted as a new root message instead, so the channel still hears of it.
     */
    private static void postWithoutRoot(DeliveryRecord row, DeliveryAction action, SubscriptionRecord sub) {
        if (action == DeliveryAction.SLACK_REPLY && (sub == null || sub.rootTs == null)) {
            row.action = DeliveryAction.SLACK_POST.wire();
        }
    }

    private Uni<Claimed> defer(DeliveryRecord row, Instant until, AtomicReference<Instant> earliest) {
        row.nextAttemptAt = until;
        earliest.accumulateAndGet(until, (a, b) -> a == null || b.isBefore(a) ? b : a);
        return Uni.createFrom().nullItem();
    }

    /** Sends one claimed delivery and records how it went; never fails. */
    private void start(Claimed claimed) {
        Context context = freshContext();
        Uni.createFrom().deferred(() -> {
            inFlight.incrementAndGet();
            // Deferred: a channel that throws while building its request fails this delivery, not the round.
            return claimed.channel().send(claimed.delivery());
        })
                .onFailure().recoverWithItem(failure -> new SendResult.Failed("could not be sent: " + failure))
                .emitOn(task -> context.runOnContext(ignored -> task.run()))
                .chain(result -> record(claimed, result)
                        .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(5)).atMost(10))
                .onTermination().invoke(inFlight::decrementAndGet)
                .subscribe().with(retryAt -> {
                    relay.kick();
                    // Deliveries that waited behind this one to the same target can go now.
                    kick();
                    if (retryAt != null) {
                        wakeAt(retryAt);
                    }
                }, failure -> LOG.warnf("recording delivery %d failed; it will be looked at again after %s: %s",
                        claimed.id(), config.delivery().inFlightTimeout(), failure.getMessage()));
    }

    /** Records a result in the delivery log and the outbox. Emits when to try again, if it is to be retried. */
    private Uni<Instant> record(Claimed claimed, SendResult result) {
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
        // A 429 says the destination is healthy but busy: waiting as asked never uses up the delivery's attempts.
        if (!retry.rateLimited() && row.attempts >= config.delivery().maxAttempts()) {
            return fail(session, row, "gave up after " + row.attempts + " attempts; the last: " + retry.detail(), now)
                    .replaceWith((Instant) null);
        }
        Duration wait = retry.delay() != null ? retry.delay()
                : backoff.after(row.attempts, ThreadLocalRandom.current().nextDouble());
        row.status = DeliveryRecord.PENDING;
        row.nextAttemptAt = now.plus(wait);
        row.lastError = retry.detail();
        String detail = retry.detail() + "; attempt " + (row.attempts + 1) + " in " + wait.toSeconds() + "s";
        return outcome(session, row, NotificationOutcome.Status.RETRYING, detail, row.nextAttemptAt, now)
                .replaceWith(row.nextAttemptAt);
    }

    private Uni<Void> fail(Mutiny.Session session, DeliveryRecord row, String detail, Instant now) {
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
    private Uni<NotificationOutcome> outcome(Mutiny.Session session, DeliveryRecord row,
            NotificationOutcome.Status status, String detail, Instant nextAttemptAt, Instant now) {
        NotificationOutcome outcome = new NotificationOutcome(UUID.randomUUID(), row.incidentId, now, row.eventId,
                new NotificationTarget(NotificationTarget.Channel.fromWire(row.channel), row.address), row.action,
                status, row.attempts, detail, nextAttemptAt);
        return outbox.add(session, Topics.NOTIFICATIONS, row.incidentId.toString(), outcome.eventId(), json(outcome),
                now).replaceWith(outcome);
    }

    /**
     * Rewrites Slack root messages that show an older version of their incident: one update per channel and pace
     * interval however many events came in between, which is what turns a burst of alerts into one "+12 alerts".
     */
    private Uni<Void> updateRoots(AtomicReference<Instant> earliest) {
        if (slack.notConfigured(new NotificationTarget(NotificationTarget.Channel.SLACK, "#any")) != null) {
            return Uni.createFrom().voidItem();
        }
        Instant now = clock.instant();
        return sessions.withSession(session -> session.createSelectionQuery(
                "select s, v from SubscriptionRecord s, IncidentViewRecord v where v.incidentId = s.incidentId "
                        + "and s.rootTs is not null and s.renderedVersion < v.version order by v.updatedAt",
                Object[].class).setMaxResults(MAX_IN_FLIGHT).getResultList())
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
                        Instant free = pacer.acquire(sub.rootChannelId, now);
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
        Context context = freshContext();
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
                                return outcome(session, row, NotificationOutcome.Status.FAILED, failed.detail(), null, now);
                            }));
                }).onTermination().invoke(() -> updating.remove(sub.id)).subscribe().with(done -> relay.kick(),
                        failure -> LOG.warnf("updating a Slack message failed: %s", failure.getMessage()));
    }

    /**
     * Finds deliveries left {@code sending} by an instance that stopped during the call. Those whose receiver drops
     * repeats are sent again; the others are marked unknown rather than risk notifying someone twice.
     */
    Uni<Integer> recoverInFlight() {
        Instant now = clock.instant();
        Instant cutoff = now.minus(config.delivery().inFlightTimeout());
        return sessions.withTransaction((session, tx) -> session
                .createSelectionQuery("from DeliveryRecord where status = 'sending' and attemptStartedAt < :cutoff",
                        DeliveryRecord.class)
                .setParameter("cutoff", cutoff).setMaxResults(500).setLockMode(LockMode.UPGRADE_SKIPLOCKED)
                .getResultList()
                .chain(rows -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (DeliveryRecord row : rows) {
                        chain = chain.call(() -> {
                            if (DeliveryAction.fromWire(row.action).safeToResend()) {
                                row.status = DeliveryRecord.PENDING;
                                row.nextAttemptAt = now;
                                row.lastError = "attempt " + row.attempts + " was cut off; sent again, the receiver "
                                        + "drops repeats";
                                return Uni.createFrom().voidItem();
                            }
                            row.status = DeliveryRecord.UNKNOWN;
                            row.finishedAt = now;
                            row.lastError = "the notifier stopped during the call; not sent again, so nobody is "
                                    + "notified twice";
                            metrics.attempt(row.channel, "unknown", null);
                            return outcome(session, row, NotificationOutcome.Status.UNKNOWN, row.lastError, null, now)
                                    .replaceWithVoid();
                        });
                    }
                    return chain.replaceWith(rows.size());
                }))
                .invoke(recovered -> {
                    if (recovered > 0) {
                        LOG.warnf("%d deliveries were cut off by a stop during their call", recovered);
                        relay.kick();
                    }
                });
    }

    /**
     * A Vert.x context of its own for a piece of database work: Hibernate Reactive keeps its session in the context,
     * and work that overlaps must not share one. Results from other threads (Slack's client) come back onto it.
     */
    private Context freshContext() {
        return Rounds.fresh(vertx);
    }

    private void wakeAt(Instant when) {
        if (when == null) {
            return;
        }
        long millis = Rounds.timerMillis(clock.instant(), when);
        if (millis < config.delivery().interval().toMillis()) {
            vertx.setTimer(millis, id -> kick());
        }
    }

    private Uni<SubscriptionRecord> subscription(Mutiny.Session session, DeliveryRecord row) {
        return session.createSelectionQuery("from SubscriptionRecord where incidentId = :incident "
                + "and channel = :channel and address = :address", SubscriptionRecord.class)
                .setParameter("incident", row.incidentId).setParameter("channel", row.channel)
                .setParameter("address", row.address).getSingleResultOrNull();
    }

    private static String paceKey(SubscriptionRecord sub, String address) {
        if (sub != null && sub.rootChannelId != null) {
            return sub.rootChannelId;
        }
        try {
            return SlackTarget.parse(address).channel();
        } catch (IllegalArgumentException e) {
            return address;
        }
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

    private IncidentEvent event(String json) {
        try {
            return mapper.readValue(json, IncidentEvent.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored incident event could not be read", e);
        }
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("outcomes always serialize", e);
        }
    }
}
