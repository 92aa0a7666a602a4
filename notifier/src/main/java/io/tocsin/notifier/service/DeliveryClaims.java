package io.tocsin.notifier.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.NotificationOutcome;
import io.tocsin.events.NotificationTarget;
import io.tocsin.notifier.channel.Channels;
import io.tocsin.notifier.channel.Delivery;
import io.tocsin.notifier.channel.NotificationChannel;
import io.tocsin.notifier.config.NotifierConfig;
import io.tocsin.notifier.domain.ChannelPacer;
import io.tocsin.notifier.domain.CircuitBreakers;
import io.tocsin.notifier.domain.DeliveryAction;
import io.tocsin.notifier.domain.IncidentSnapshot;
import io.tocsin.notifier.domain.SlackTarget;
import io.tocsin.notifier.metrics.NotifierMetrics;
import io.tocsin.notifier.persistence.DeliveryRecord;
import io.tocsin.notifier.persistence.IncidentViewRecord;
import io.tocsin.notifier.persistence.SubscriptionRecord;
import io.tocsin.outbox.OutboxRelay;

/**
 * Claims due deliveries, most urgent incident first, of one priority pages before follow-ups, then oldest:
 * {@code FOR UPDATE SKIP LOCKED}
 * and marked
 * {@code sending} before any call, so a second instance never sends one twice. A delivery behind an older one to the
 * same target is not even a candidate, so no number of them can crowd out the others; one whose destination's
 * breaker is open or whose Slack channel is paced is moved to when it may go, which takes it off the head too.
 */
@ApplicationScoped
public class DeliveryClaims {

    private static final Logger LOG = Logger.getLogger(DeliveryClaims.class);

    /**
     * Due, and no older delivery to the same (incident, channel, address) is pending or being sent: a PagerDuty
     * trigger backing off must not arrive after the resolve that followed it, nor Slack replies out of order. The
     * index {@code delivery_open_by_target} answers the NOT EXISTS; {@code delivery_due} gives the order: priority,
     * then a page before a follow-up of the same priority, as a follow-up's age would otherwise win each paced Slack slot from
     * a newer incident's
     * first message for as long as the older incident has replies queued.
     */
    static final String DUE = "from DeliveryRecord d where d.status = 'pending' and d.nextAttemptAt <= :now "
            + "and not exists (from DeliveryRecord o where o.incidentId = d.incidentId and o.channel = d.channel "
            + "and o.address = d.address and o.id < d.id and o.status in ('pending', 'sending')) "
            + "order by d.priority, d.followUp, d.nextAttemptAt, d.id";

    /**
     * What one claim gave.
     *
     * @param more the page was full and some of it was held back or finished unsent: more may be due at once
     */
    record Batch(List<Claimed> claimed, boolean more) {
    }

    private final Mutiny.SessionFactory sessions;
    private final Channels channels;
    private final DeliveryResults results;
    private final OutboxRelay relay;
    private final NotifierConfig config;
    private final CircuitBreakers breakers;
    private final ChannelPacer pacer;
    private final NotifierMetrics metrics;
    private final Clock clock;
    private final ObjectMapper mapper;

    public DeliveryClaims(Mutiny.SessionFactory sessions, Channels channels, DeliveryResults results,
            OutboxRelay relay, NotifierConfig config, CircuitBreakers breakers, ChannelPacer pacer,
            NotifierMetrics metrics, Clock clock, ObjectMapper mapper) {
        this.sessions = sessions;
        this.channels = channels;
        this.results = results;
        this.relay = relay;
        this.config = config;
        this.breakers = breakers;
        this.pacer = pacer;
        this.metrics = metrics;
        this.clock = clock;
        this.mapper = mapper;
    }

    /**
     * Claims up to {@code room} deliveries due at {@code now}; {@code earliest} learns when the first one held back
     * comes due.
     */
    Uni<Batch> claim(int room, Instant now, AtomicReference<Instant> earliest) {
        if (room <= 0) {
            return Uni.createFrom().item(new Batch(List.of(), false));
        }
        return sessions.withTransaction((session, tx) -> session
                .createSelectionQuery(DUE, DeliveryRecord.class)
                .setParameter("now", now)
                .setMaxResults(room)
                .setLockMode(LockMode.UPGRADE_SKIPLOCKED)
                .getResultList()
                .chain(rows -> {
                    List<Claimed> claimed = new ArrayList<>();
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (DeliveryRecord row : rows) {
                        chain = chain.call(() -> prepare(session, row, now, earliest)
                                .onFailure().recoverWithUni(failure -> {
                                    // One row that cannot even be prepared must not hold back every other delivery.
                                    LOG.warnf("delivery %d cannot be prepared and fails: %s", row.id, failure);
                                    return results.fail(session, row, "could not be prepared: " + failure, now)
                                            .replaceWith((Claimed) null);
                                })
                                .invoke(c -> {
                                    if (c != null) {
                                        claimed.add(c);
                                    }
                                }));
                    }
                    return chain.replaceWith(() -> new Batch(claimed,
                            rows.size() == room && claimed.size() < rows.size()));
                }))
                .invoke(batch -> {
                    if (!batch.claimed().isEmpty()) {
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
            return results.outcome(session, row, NotificationOutcome.Status.NOT_SENT, notConfigured, null, now)
                    .replaceWith((Claimed) null);
        }
        String destination = channel.destination(target);
        Instant held = breakers.heldUntil(destination, now);
        if (held != null) {
            return defer(row, held, earliest);
        }
        Uni<SubscriptionRecord> subscription = target.channel() == NotificationTarget.Channel.SLACK
                ? DeliveryResults.subscription(session, row)
                : Uni.createFrom().nullItem();
        return subscription.chain(sub -> {
            postWithoutRoot(row, action, sub);
            String paceKey = null;
            if (target.channel() == NotificationTarget.Channel.SLACK) {
                paceKey = paceKey(sub, row.address);
                Instant free = pacer.acquire(paceKey, now, clock.instant());
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
     * A thread reply needs its root message. The root post is older than any reply to it, so the claim has held the
     * reply back while the post was on its way; a reply that finds no root here means the post failed for good, and
     * it is posted as a new root message instead, so the channel still hears of it.
     */
    private static void postWithoutRoot(DeliveryRecord row, DeliveryAction action, SubscriptionRecord sub) {
        if (action == DeliveryAction.SLACK_REPLY && (sub == null || sub.rootTs == null)) {
            row.action = DeliveryAction.SLACK_POST.wire();
        }
    }

    /** Moves a row to when it may go: no longer due, it leaves the head of the claim for the others. */
    private static Uni<Claimed> defer(DeliveryRecord row, Instant until, AtomicReference<Instant> earliest) {
        row.nextAttemptAt = until;
        earliest.accumulateAndGet(until, (a, b) -> a == null || b.isBefore(a) ? b : a);
        return Uni.createFrom().nullItem();
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

    private IncidentEvent event(String json) {
        try {
            return mapper.readValue(json, IncidentEvent.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored incident event could not be read", e);
        }
    }
}
