package io.tocsin.notifier.service;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.NotificationRequested;
import io.tocsin.events.NotificationTarget;
import io.tocsin.events.Priority;
import io.tocsin.events.PriorityChanged;
import io.tocsin.notifier.domain.DeliveryAction;
import io.tocsin.notifier.domain.DeliveryPlan;
import io.tocsin.notifier.persistence.DeliveryRecord;
import io.tocsin.notifier.persistence.IncidentViewRecord;
import io.tocsin.notifier.persistence.SubscriptionRecord;
import io.tocsin.outbox.Outbox;

/**
 * Applies one incident event, once: updates the incident view, subscribes paged targets, and plans the deliveries the
 * event causes, all in one transaction. The dispatcher sends them after the commit.
 */
@ApplicationScoped
public class EventIntake {

    private static final Logger LOG = Logger.getLogger(EventIntake.class);

    private final Mutiny.SessionFactory sessions;
    private final Outbox outbox;
    private final DeliveryPlan plan;
    private final Dispatcher dispatcher;
    private final DigestFolding folding;
    private final Clock clock;
    private final ObjectWriter writer;

    public EventIntake(Mutiny.SessionFactory sessions, Outbox outbox, DeliveryPlan plan, Dispatcher dispatcher,
            DigestFolding folding, Clock clock, ObjectMapper mapper) {
        this.sessions = sessions;
        this.folding = folding;
        this.outbox = outbox;
        this.plan = plan;
        this.dispatcher = dispatcher;
        this.clock = clock;
        this.writer = mapper.writerFor(IncidentEvent.class);
    }

    /** Emits how many deliveries the event planned; a redelivered event plans none. */
    public Uni<Integer> apply(IncidentEvent event) {
        Instant now = clock.instant();
        return sessions.withTransaction((session, tx) -> outbox
                .firstTime(session, "incident-event:" + event.eventId(), now)
                .chain(first -> first ? applyOnce(session, event, now) : Uni.createFrom().item(0)))
                .invoke(planned -> {
                    if (planned > 0) {
                        dispatcher.kick();
                    }
                });
    }

    private Uni<Integer> applyOnce(Mutiny.Session session, IncidentEvent event, Instant now) {
        return session.find(IncidentViewRecord.class, event.incidentId()).chain(found -> {
            IncidentViewRecord view = found == null ? Projection.create(event) : found;
            Projection.apply(view, event);
            int priority = rank(view.priority);
            Uni<Void> saved = found == null ? session.persist(view) : Uni.createFrom().voidItem();
            return saved.call(() -> reprioritize(session, event, priority))
                    .chain(() -> session.createSelectionQuery(
                            "from SubscriptionRecord where incidentId = :incident order by id",
                            SubscriptionRecord.class)
                            .setParameter("incident", event.incidentId()).getResultList())
                    .chain(subscriptions -> plan(session, event, priority, subscriptions, now));
        });
    }

    /**
     * The claim order of an incident's priority: 0 for P0 to 3 for P3. A priority this reader does not know counts as
     * the lowest, as rows planned before priorities were stored do.
     */
    static int rank(String priority) {
        Priority known = Priority.fromWire(priority);
        return known == Priority.UNKNOWN ? Priority.P3.ordinal() : known.ordinal();
    }

    /** A raised (or lowered) priority moves the incident's waiting deliveries with it. */
    private static Uni<Void> reprioritize(Mutiny.Session session, IncidentEvent event, int priority) {
        if (!(event instanceof PriorityChanged)) {
            return Uni.createFrom().voidItem();
        }
        return session.createMutationQuery("update DeliveryRecord set priority = :priority "
                + "where incidentId = :incident and status = 'pending' and priority <> :priority")
                .setParameter("priority", priority).setParameter("incident", event.incidentId())
                .executeUpdate().replaceWithVoid();
    }

    private Uni<Integer> plan(Mutiny.Session session, IncidentEvent event, int priority,
            List<SubscriptionRecord> subscriptions, Instant now) {
        List<NotificationTarget> subscribed = subscriptions.stream()
                .map(s -> new NotificationTarget(NotificationTarget.Channel.fromWire(s.channel), s.address)).toList();
        // An incident folded into a storm digest has no root message: its Slack follow-ups show in the digest.
        // A page (an escalation, a repeat) still goes: with no root to reply to, it is posted on its own.
        List<DeliveryPlan.Step> steps = plan.steps(event, subscribed).stream()
                .filter(step -> event instanceof NotificationRequested
                        || !DigestFolding.folded(step.target(), subscriptions))
                .toList();
        Uni<Void> touched = DigestFolding.touch(session, subscriptions);
        if (steps.isEmpty()) {
            return touched.chain(session::flush).replaceWith(0);
        }
        String json = json(event);
        Uni<Void> chain = touched;
        for (DeliveryPlan.Step step : steps) {
            chain = chain.call(() -> {
                DeliveryRecord delivery = new DeliveryRecord();
                delivery.idempotencyKey = event.eventId() + "/" + step.action().wire() + "/"
                        + step.target().channel().wire() + ":" + step.target().address();
                delivery.incidentId = event.incidentId();
                delivery.eventId = event.eventId();
                delivery.channel = step.target().channel().wire();
                delivery.address = step.target().address() == null ? "" : step.target().address();
                delivery.action = step.action().wire();
                delivery.event = json;
                delivery.status = DeliveryRecord.PENDING;
                delivery.priority = priority;
                delivery.followUp = !(event instanceof NotificationRequested);
                delivery.nextAttemptAt = now;
                delivery.createdAt = now;
                if (!step.subscribes()) {
                    return session.persist(delivery);
                }
                SubscriptionRecord subscription = new SubscriptionRecord();
                subscription.incidentId = event.incidentId();
                subscription.channel = delivery.channel;
                subscription.address = delivery.address;
                subscription.createdAt = now;
                Uni<Boolean> folds = step.action() == DeliveryAction.SLACK_POST
                        ? folding.folds(session, delivery.address, priority, now,
                                event instanceof NotificationRequested requested ? requested.slackDigest() : null)
                        : Uni.createFrom().item(false);
                return folds.chain(fold -> fold ? folding.fold(session, delivery, subscription, now)
                        : session.persist(delivery))
                        .call(() -> session.persist(subscription));
            });
        }
        LOG.debugf("event %s planned %d deliveries", event.eventId(), steps.size());
        return chain.call(session::flush).replaceWith(steps.size());
    }

    private String json(IncidentEvent event) {
        try {
            return writer.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("incident events always serialize", e);
        }
    }
}
