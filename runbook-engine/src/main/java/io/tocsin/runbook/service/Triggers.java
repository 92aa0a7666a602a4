package io.tocsin.runbook.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.AlertAttached;
import io.tocsin.events.AlertsAttached;
import io.tocsin.events.IncidentAcknowledged;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.IncidentOpened;
import io.tocsin.events.IncidentReopened;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.IncidentSnoozed;
import io.tocsin.events.IncidentUnacknowledged;
import io.tocsin.events.Priority;
import io.tocsin.events.PriorityChanged;
import io.tocsin.outbox.Outbox;
import io.tocsin.outbox.OutboxRelay;
import io.tocsin.runbook.config.RunbookSettings;
import io.tocsin.runbook.domain.Runbook;
import io.tocsin.runbook.domain.RunbookCatalog;
import io.tocsin.runbook.domain.Trigger;
import io.tocsin.runbook.metrics.RunbookMetrics;
import io.tocsin.runbook.persistence.IncidentViewRecord;
import io.tocsin.runbook.persistence.RunRecord;

/**
 * Applies one incident event, once: keeps the incident view runbooks read, starts the runbooks the event triggers, and
 * cancels runs when their incident resolves, all in one transaction with the processed-message mark. A runbook that
 * starts on opening waits for the incident's first alert, whose labels decide whether it applies.
 */
@ApplicationScoped
public class Triggers {

    private static final Logger LOG = Logger.getLogger(Triggers.class);

    private final Mutiny.SessionFactory sessions;
    private final Outbox outbox;
    private final RunbookCatalog catalog;
    private final Runner runner;
    private final RunRounds rounds;
    private final OutboxRelay relay;
    private final RunbookSettings config;
    private final RunbookMetrics metrics;
    private final Clock clock;

    public Triggers(Mutiny.SessionFactory sessions, Outbox outbox, RunbookCatalog catalog, Runner runner, RunRounds rounds,
            OutboxRelay relay, RunbookSettings config, RunbookMetrics metrics, Clock clock) {
        this.sessions = sessions;
        this.outbox = outbox;
        this.catalog = catalog;
        this.runner = runner;
        this.rounds = rounds;
        this.relay = relay;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Emits how many runs the event started or cancelled; a redelivered event does nothing. */
    public Uni<Integer> apply(IncidentEvent event) {
        return sessions.withTransaction((session, tx) -> {
            // Read in the transaction: after an outage and retries, "now" is when the event is applied.
            Instant now = clock.instant();
            return outbox.firstTime(session, "incident-event:" + event.eventId(), now)
                    .chain(first -> first ? applyOnce(session, event, now) : Uni.createFrom().item(0));
        })
                .invoke(changed -> {
                    if (changed > 0) {
                        relay.kick();
                        rounds.kick();
                    }
                });
    }

    private Uni<Integer> applyOnce(Mutiny.Session session, IncidentEvent event, Instant now) {
        return session.find(IncidentViewRecord.class, event.incidentId()).chain(found -> {
            IncidentViewRecord view = found != null ? found : create(event);
            List<Start> starts = project(view, event);
            Uni<Void> saved = found == null ? session.persist(view) : Uni.createFrom().voidItem();
            if (event instanceof IncidentResolved) {
                return saved.chain(() -> cancelOnResolve(session, view, now));
            }
            return saved.chain(() -> start(session, view, starts, event, now));
        });
    }

    private record Start(Runbook runbook, Trigger trigger) {
    }

    /** The alert an {@code alert.attached} or {@code alerts.attached} attaches first; otherwise the event itself. */
    private static Object first(IncidentEvent event) {
        if (event instanceof AlertsAttached many) {
            return many.alerts().isEmpty() ? null : many.attached().get(0);
        }
        return event;
    }

    /** Applies the event to the view; returns the runbooks it starts. */
    private List<Start> project(IncidentViewRecord view, IncidentEvent event) {
        List<Start> starts = new ArrayList<>();
        view.updatedAt = event.occurredAt();
        if (event instanceof IncidentOpened opened) {
            view.title = opened.title();
            view.service = opened.service();
            view.priority = opened.priority().name();
            view.labels = opened.groupLabels();
            view.openedAt = opened.occurredAt();
            view.opening = true;
        } else if (view.opening && first(event) instanceof AlertAttached attached) {
            // The first alert: its labels (with the group's) decide which runbooks apply and fill their templates.
            // Alerts attached together: the first of them (the rest start nothing, as later alerts do).
            Map<String, String> labels = new LinkedHashMap<>(view.labels);
            labels.putAll(attached.labels());
            view.labels = labels;
            view.annotations = attached.annotations();
            view.opening = false;
            Priority priority = Priority.fromWire(view.priority);
            catalog.startingOn(Trigger.OPENED, view.labels, priority)
                    .forEach(r -> starts.add(new Start(r, Trigger.OPENED)));
            catalog.startingOn(Trigger.PRIORITY, view.labels, priority)
                    .forEach(r -> starts.add(new Start(r, Trigger.PRIORITY)));
        } else if (event instanceof PriorityChanged changed) {
            view.priority = changed.to().name();
            if (!view.opening) {
                catalog.startingOn(Trigger.PRIORITY, view.labels, changed.to()).stream()
                        .filter(r -> !r.match().priorityReached(changed.from()))
                        .forEach(r -> starts.add(new Start(r, Trigger.PRIORITY)));
            }
        } else if (event instanceof IncidentAcknowledged || event instanceof IncidentSnoozed) {
            view.state = "acknowledged";
        } else if (event instanceof IncidentUnacknowledged || event instanceof IncidentReopened) {
            view.state = "open";
        } else if (event instanceof IncidentResolved) {
            view.state = "resolved";
        }
        return starts;
    }

    private Uni<Integer> start(Mutiny.Session session, IncidentViewRecord view, List<Start> starts,
            IncidentEvent event, Instant now) {
        if (starts.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        Duration age = Duration.between(event.occurredAt(), now);
        if (age.compareTo(config.maxEventAge()) > 0) {
            starts.forEach(start -> {
                metrics.runSkipped(start.runbook().name(), "stale");
                LOG.infof("runbook %s not started for incident %s: the event is %d min old (a replay or a backlog; "
                        + "TOCSIN_RUNBOOK_MAX_EVENT_AGE is %d min)", start.runbook().name(), view.incidentId,
                        age.toMinutes(), config.maxEventAge().toMinutes());
            });
            return Uni.createFrom().item(0);
        }
        Map<String, Boolean> done = new HashMap<>();
        Uni<Integer> chain = Uni.createFrom().item(0);
        for (Start start : starts) {
            if (done.putIfAbsent(start.runbook().name(), true) != null) {
                continue;
            }
            chain = chain.chain(count -> runner.start(session, start.runbook(), view, start.trigger(),
                    RunLog.engine(start.runbook().name()), false, now).map(started -> {
                        if (started.refusal() != null) {
                            LOG.infof("runbook %s not started for incident %s: %s", start.runbook().name(),
                                    view.incidentId, started.refusal());
                            return count;
                        }
                        return count + 1;
                    }));
        }
        return chain;
    }

    private Uni<Integer> cancelOnResolve(Mutiny.Session session, IncidentViewRecord view, Instant now) {
        return session.createSelectionQuery("from RunRecord where incidentId = :incident and state = 'running' "
                + "and cancelOnResolve = true", RunRecord.class)
                .setParameter("incident", view.incidentId).setLockMode(LockMode.PESSIMISTIC_WRITE).getResultList()
                .chain(runs -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (RunRecord run : runs) {
                        chain = chain.call(() -> runner.cancel(session, run, "tocsin", "the incident resolved", now));
                    }
                    return chain.replaceWith(runs.size());
                });
    }

    /** A view for an incident first heard of through {@code event}. */
    private static IncidentViewRecord create(IncidentEvent event) {
        IncidentViewRecord view = new IncidentViewRecord();
        view.incidentId = event.incidentId();
        view.title = "Incident " + event.incidentId();
        view.priority = Priority.UNKNOWN.name();
        view.state = "open";
        view.labels = Map.of();
        view.annotations = Map.of();
        view.openedAt = event.occurredAt();
        view.updatedAt = event.occurredAt();
        return view;
    }
}
