package io.tocsin.escalation.service;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.domain.policy.EscalationPolicy;
import io.tocsin.escalation.domain.policy.IncidentMatcher;
import io.tocsin.escalation.domain.policy.Level;
import io.tocsin.escalation.domain.policy.PolicySet;
import io.tocsin.escalation.metrics.EscalationMetrics;
import io.tocsin.escalation.persistence.AlertRecord;
import io.tocsin.escalation.persistence.EventLog;
import io.tocsin.escalation.persistence.IncidentRecord;
import io.tocsin.escalation.persistence.SilenceRecord;
import io.tocsin.escalation.persistence.TimerRecord;
import io.tocsin.events.IncidentAcknowledged;
import io.tocsin.events.IncidentEscalated;
import io.tocsin.events.IncidentSnoozed;
import io.tocsin.events.IncidentUnacknowledged;
import io.tocsin.events.NotificationRequested;
import io.tocsin.events.NotificationTarget;
import io.tocsin.events.NotificationWithheld;
import io.tocsin.events.Priority;
import io.tocsin.events.SlaBreached;

/**
 * Runs escalation policies on durable timers, in the caller's transaction. Timers live in PostgreSQL: a restart loses
 * none; {@link TimerLoop} claims due ones and fires them here, marked fired in the same transaction as the
 * notifications they cause. Time comes from the caller.
 */
@ApplicationScoped
public class Escalations {

    private final EventLog events;
    private final PolicySet policies;
    private final EscalationMetrics metrics;

    public Escalations(EventLog events, PolicySet policies, EscalationMetrics metrics) {
        this.metrics = metrics;
        this.events = events;
        this.policies = policies;
    }

    /** Chooses the policy for a new (or reopened) incident and schedules its first level and its response SLA. */
    Uni<Void> start(Mutiny.Session session, IncidentRecord incident, Map<String, String> labels, Instant now) {
        Priority priority = Priority.fromWire(incident.priority);
        EscalationPolicy policy = policies.policyFor(priority, labels);
        incident.policy = policy.name();
        incident.escalationLevel = -1;
        incident.escalationCycle = 0;
        incident.acknowledgedAt = null;
        incident.acknowledgedBy = null;
        incident.slaBreachedAt = null;
        return beginLadder(session, incident, policy, now).chain(() -> scheduleSla(session, incident, now));
    }

    /**
     * Starts the policy's ladder: a first level without a wait fires in this very transaction (the notifications
     * commit with the incident that caused them, and leave at once); otherwise its timer is set.
     */
    private Uni<Void> beginLadder(Mutiny.Session session, IncidentRecord incident, EscalationPolicy policy,
            Instant now) {
        Duration first = policy.levels().get(0).after();
        if (first.isZero()) {
            return fireLevel(session, incident, policy, 0, 0, now, "opened");
        }
        return session.persist(TimerRecord.of(incident.id, TimerRecord.LEVEL, 0, 0, now.plus(first)));
    }

    /** A priority change may choose another policy (a new ladder from its first level) and another SLA. */
    Uni<Void> priorityChanged(Mutiny.Session session, IncidentRecord incident, Map<String, String> labels,
            Instant now) {
        if (!"open".equals(incident.state)) {
            return Uni.createFrom().voidItem();
        }
        EscalationPolicy policy = policies.policyFor(Priority.fromWire(incident.priority), labels);
        Uni<Void> ladder = Uni.createFrom().voidItem();
        if (!policy.name().equals(incident.policy)) {
            incident.policy = policy.name();
            incident.escalationLevel = -1;
            incident.escalationCycle = 0;
            ladder = cancel(session, incident.id, now, List.of(TimerRecord.LEVEL))
                    .chain(() -> beginLadder(session, incident, policy, now));
        }
        return ladder.chain(() -> cancel(session, incident.id, now, List.of(TimerRecord.SLA)))
                .chain(() -> scheduleSla(session, incident, now));
    }

    /** Stops every pending timer of the incident (it was resolved or acknowledged). */
    Uni<Void> stop(Mutiny.Session session, UUID incidentId, Instant now) {
        return cancel(session, incidentId, now, List.of(TimerRecord.LEVEL, TimerRecord.SLA, TimerRecord.WAKE));
    }

    /**
     * Acknowledges an open incident: escalation and the SLA clock stop. Acknowledging an acknowledged incident changes
     * nothing.
     *
     * @return whether it changed anything; fails with {@link IllegalStateException} for a resolved incident
     */
    Uni<Boolean> acknowledge(Mutiny.Session session, IncidentRecord incident, String actor, Instant now) {
        if ("resolved".equals(incident.state)) {
            return Uni.createFrom().failure(new IllegalStateException("the incident is resolved"));
        }
        if ("acknowledged".equals(incident.state)) {
            return Uni.createFrom().item(false);
        }
        incident.state = "acknowledged";
        incident.acknowledgedAt = now;
        incident.acknowledgedBy = actor;
        metrics.incidentAcknowledged(incident.priority, Duration.between(incident.openedAt, now));
        IncidentAcknowledged acknowledged = new IncidentAcknowledged(UUID.randomUUID(), incident.id, now, actor);
        return stop(session, incident.id, now)
                .chain(() -> events.record(session, acknowledged, actor, "acknowledged by " + actor))
                .replaceWith(true);
    }

    /** Fires the next level now, whatever its wait; the incident stays acknowledged if it was ("I need help"). */
    Uni<Void> escalateNow(Mutiny.Session session, IncidentRecord incident, String actor, Instant now) {
        EscalationPolicy policy = policies.policyNamed(incident.policy);
        int[] next = nextLevel(incident, policy);
        int level = next[0];
        int round = next[1];
        return cancel(session, incident.id, now, List.of(TimerRecord.LEVEL))
                .chain(() -> fireLevel(session, incident, policy, level, round, now, "escalated by " + actor, actor));
    }

    /**
     * Gives an acknowledged incident back: it is open again and escalates from its first level.
     *
     * @return whether it changed anything (an open incident stays as it is)
     */
    Uni<Boolean> unacknowledge(Mutiny.Session session, IncidentRecord incident, String actor, String reason,
            Instant now) {
        if (!"acknowledged".equals(incident.state)) {
            return Uni.createFrom().item(false);
        }
        incident.state = "open";
        incident.acknowledgedAt = null;
        incident.acknowledgedBy = null;
        incident.snoozedUntil = null;
        incident.escalationLevel = -1;
        incident.escalationCycle = 0;
        IncidentUnacknowledged event = new IncidentUnacknowledged(UUID.randomUUID(), incident.id, now, actor, reason);
        EscalationPolicy policy = policies.policyNamed(incident.policy);
        return cancel(session, incident.id, now, List.of(TimerRecord.LEVEL, TimerRecord.SLA, TimerRecord.WAKE))
                .chain(() -> events.record(session, event, actor, "unacknowledged by " + actor + ": " + reason))
                .chain(() -> beginLadder(session, incident, policy, now))
                .chain(() -> scheduleSla(session, incident, now))
                .replaceWith(true);
    }

    /** Pauses escalation until {@code until}, when the incident is unacknowledged and escalates again. */
    Uni<Void> snooze(Mutiny.Session session, IncidentRecord incident, String actor, Instant until, Instant now) {
        incident.state = "acknowledged";
        if (incident.acknowledgedAt == null) {
            incident.acknowledgedAt = now;
            incident.acknowledgedBy = actor;
        }
        incident.snoozedUntil = until;
        IncidentSnoozed snoozed = new IncidentSnoozed(UUID.randomUUID(), incident.id, now, actor, until);
        return stop(session, incident.id, now)
                .chain(() -> session.persist(TimerRecord.of(incident.id, TimerRecord.WAKE, 0, 0, until)))
                .chain(() -> events.record(session, snoozed, actor, "snoozed by " + actor + " until " + until));
    }

    /** Fires one due timer in the caller's transaction ({@link TimerLoop} claims it). */
    Uni<Void> fire(Mutiny.Session session, TimerRecord timer, Instant now) {
        timer.firedAt = now;
        metrics.timerLag(timer.kind, Duration.between(timer.dueAt, now));
        return session.find(IncidentRecord.class, timer.incidentId).chain(incident -> {
            if (incident != null && TimerRecord.WAKE.equals(timer.kind)) {
                return unacknowledge(session, incident, AlertIntake.SYSTEM, "snooze ended", now).replaceWithVoid();
            }
            if (incident == null || !"open".equals(incident.state)) {
                return Uni.createFrom().voidItem();
            }
            EscalationPolicy policy = policies.policyNamed(incident.policy);
            if (TimerRecord.SLA.equals(timer.kind)) {
                return breach(session, incident, policy, now);
            }
            boolean alreadyFired = incident.escalationCycle > timer.cycle
                    || incident.escalationCycle == timer.cycle && incident.escalationLevel >= timer.level;
            if (alreadyFired) {
                // An SLA breach due with it escalated past this level already.
                return Uni.createFrom().voidItem();
            }
            Duration waited = timer.level == 0 ? policy.repeatAfter()
                    : policy.levels().get(Math.min(timer.level, policy.levels().size() - 1)).after();
            return fireLevel(session, incident, policy, timer.level, timer.cycle, now,
                    "not acknowledged within " + minutes(waited));
        });
    }

    private Uni<Void> breach(Mutiny.Session session, IncidentRecord incident, EscalationPolicy policy, Instant now) {
        if (incident.slaBreachedAt != null) {
            return Uni.createFrom().voidItem();
        }
        incident.slaBreachedAt = now;
        Priority priority = Priority.fromWire(incident.priority);
        metrics.slaBreached(priority.name());
        Duration sla = policies.sla(priority);
        SlaBreached breached = new SlaBreached(UUID.randomUUID(), incident.id, now, priority, sla.toSeconds());
        int[] next = nextLevel(incident, policy);
        int level = next[0];
        int round = next[1];
        return events.record(session, breached, AlertIntake.SYSTEM, "response SLA of " + minutes(sla) + " for "
                + priority + " breached: not acknowledged")
                .chain(() -> cancel(session, incident.id, now, List.of(TimerRecord.LEVEL)))
                .chain(() -> fireLevel(session, incident, policy, level, round, now,
                        "response SLA of " + minutes(sla) + " breached"));
    }

    /** The level (and round) after the last one fired: {level, cycle}; past the last level, round again. */
    private static int[] nextLevel(IncidentRecord incident, EscalationPolicy policy) {
        int next = incident.escalationLevel + 1;
        return next < policy.levels().size() ? new int[] { next, incident.escalationCycle }
                : new int[] { 0, incident.escalationCycle + 1 };
    }

    private Uni<Void> fireLevel(Mutiny.Session session, IncidentRecord incident, EscalationPolicy policy,
            int levelIndex, int cycle, Instant now, String reason) {
        return fireLevel(session, incident, policy, levelIndex, cycle, now, reason, AlertIntake.SYSTEM);
    }

    private Uni<Void> fireLevel(Mutiny.Session session, IncidentRecord incident, EscalationPolicy policy,
            int levelIndex, int cycle, Instant now, String reason, String actor) {
        int index = Math.min(levelIndex, policy.levels().size() - 1);
        Level level = policy.levels().get(index);
        incident.escalationLevel = index;
        incident.escalationCycle = cycle;
        metrics.levelFired(policy.name(), index);
        Priority priority = Priority.fromWire(incident.priority);
        Uni<Void> chain = Uni.createFrom().voidItem();
        if (index > 0 || cycle > 0) {
            IncidentEscalated escalated = new IncidentEscalated(UUID.randomUUID(), incident.id, now, policy.name(),
                    index, cycle, actor, reason);
            chain = events.record(session, escalated, actor, "escalated to level " + (index + 1)
                    + (cycle > 0 ? " (round " + (cycle + 1) + ")" : "") + " of " + policy.name() + ": " + reason);
        }
        Uni<Void> escalated = chain;
        chain = silenceFor(session, incident, now).chain(silence -> {
            Uni<Void> notify = escalated;
            for (NotificationTarget target : level.targets()) {
                if (silence != null) {
                    String why = "silenced" + (silence.comment.isBlank() ? "" : ": " + silence.comment);
                    NotificationWithheld withheld = new NotificationWithheld(UUID.randomUUID(), incident.id, now,
                            target, index, silence.id, why);
                    notify = notify.chain(() -> events.record(session, withheld, AlertIntake.SYSTEM,
                            "not notified " + target + ": " + why + " (silence " + silence.id + ")"));
                } else {
                    NotificationRequested request = new NotificationRequested(UUID.randomUUID(), incident.id, now,
                            target, policy.name(), index, cycle, priority, incident.title, policy.slackDigest());
                    notify = notify.chain(() -> events.record(session, request, AlertIntake.SYSTEM,
                            "notify " + target));
                }
            }
            return notify;
        });
        TimerRecord next = null;
        if (index + 1 < policy.levels().size()) {
            next = TimerRecord.of(incident.id, TimerRecord.LEVEL, index + 1, cycle,
                    now.plus(policy.levels().get(index + 1).after()));
        } else if (cycle < policy.repeat()) {
            next = TimerRecord.of(incident.id, TimerRecord.LEVEL, 0, cycle + 1, now.plus(policy.repeatAfter()));
        }
        TimerRecord scheduled = next;
        return scheduled == null ? chain : chain.chain(() -> session.persist(scheduled));
    }

    /** The active silence that covers the incident (its group labels or any firing alert's labels), or null. */
    private static Uni<SilenceRecord> silenceFor(Mutiny.Session session, IncidentRecord incident, Instant now) {
        return session.createSelectionQuery("from SilenceRecord where startsAt <= :now and endsAt > :now",
                SilenceRecord.class).setParameter("now", now).getResultList().chain(silences -> {
                    if (silences.isEmpty()) {
                        return Uni.createFrom().nullItem();
                    }
                    return session.flush().chain(() -> session.createSelectionQuery(
                            "from AlertRecord where incidentId = :incident and status = 'firing'", AlertRecord.class)
                            .setParameter("incident", incident.id).getResultList())
                            .map(alerts -> {
                                List<Map<String, String>> candidates = new java.util.ArrayList<>();
                                candidates.add(incident.groupLabels);
                                alerts.forEach(alert -> candidates.add(alert.labels));
                                return silences.stream()
                                        .filter(silence -> candidates.stream().anyMatch(labels -> new IncidentMatcher(
                                                java.util.Set.of(), silence.matchers).matches(Priority.P3, labels)))
                                        .findFirst().orElse(null);
                            });
                });
    }

    private Uni<Void> scheduleSla(Mutiny.Session session, IncidentRecord incident, Instant now) {
        Duration sla = policies.sla(Priority.fromWire(incident.priority));
        if (sla == null || incident.slaBreachedAt != null) {
            return Uni.createFrom().voidItem();
        }
        Instant due = incident.openedAt.plus(sla);
        return session.persist(TimerRecord.of(incident.id, TimerRecord.SLA, 0, 0, due.isBefore(now) ? now : due));
    }

    private static Uni<Void> cancel(Mutiny.Session session, UUID incidentId, Instant now, List<String> kinds) {
        return session.flush().chain(() -> session.createMutationQuery("update TimerRecord set cancelledAt = :now "
                + "where incidentId = :incident and firedAt is null and cancelledAt is null and kind in :kinds")
                .setParameter("now", now)
                .setParameter("incident", incidentId)
                .setParameter("kinds", kinds)
                .executeUpdate())
                .replaceWithVoid();
    }

    private static String minutes(Duration duration) {
        return duration.toSeconds() % 60 == 0 ? duration.toMinutes() + " min" : duration.toSeconds() + " s";
    }
}
