package io.tocsin.notifier.service;

import java.time.Instant;
import java.util.Map;

import io.tocsin.events.AlertAttached;
import io.tocsin.events.AlertResolved;
import io.tocsin.events.AlertsAttached;
import io.tocsin.events.IncidentAcknowledged;
import io.tocsin.events.IncidentEscalated;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.IncidentOpened;
import io.tocsin.events.IncidentReopened;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.IncidentSnoozed;
import io.tocsin.events.IncidentUnacknowledged;
import io.tocsin.events.NotificationRequested;
import io.tocsin.events.Priority;
import io.tocsin.events.PriorityChanged;
import io.tocsin.events.RunbookProgressed;
import io.tocsin.notifier.domain.IncidentSnapshot;
import io.tocsin.notifier.persistence.IncidentViewRecord;

/** Folds incident events into the notifier's view of the incident. */
final class Projection {

    private Projection() {
    }

    /** A view for an incident first heard of through {@code event}. */
    static IncidentViewRecord create(IncidentEvent event) {
        IncidentViewRecord view = new IncidentViewRecord();
        view.incidentId = event.incidentId();
        view.title = "Incident " + event.incidentId();
        view.priority = Priority.UNKNOWN.name();
        view.state = "open";
        view.groupLabels = Map.of();
        view.labels = Map.of();
        view.annotations = Map.of();
        view.openedAt = event.occurredAt();
        view.updatedAt = event.occurredAt();
        return view;
    }

    /**
     * Applies {@code event}; every event that changes what the root message shows bumps the version, so Slack root
     * messages are brought up to date.
     */
    static void apply(IncidentViewRecord view, IncidentEvent event) {
        if (event instanceof RunbookProgressed) {
            // The root message shows nothing of runbooks; rewriting it would only spend the channel's rate limit.
            return;
        }
        if (event instanceof AlertsAttached many) {
            // As each member on its own, in order; one root message rewrite for them all.
            many.attached().forEach(member -> attach(view, member));
            view.version++;
            view.updatedAt = latest(view.updatedAt, event.occurredAt());
            return;
        }
        if (event instanceof IncidentOpened opened) {
            view.title = opened.title();
            view.service = opened.service();
            view.priority = opened.priority().name();
            view.groupLabels = opened.groupLabels();
            view.openedAt = opened.occurredAt();
        } else if (event instanceof AlertAttached attached) {
            attach(view, attached);
        } else if (event instanceof AlertResolved) {
            view.firing = Math.max(0, view.firing - 1);
        } else if (event instanceof PriorityChanged changed) {
            view.priority = changed.to().name();
        } else if (event instanceof IncidentAcknowledged ack) {
            view.state = "acknowledged";
            view.acknowledgedBy = ack.actor();
        } else if (event instanceof IncidentUnacknowledged) {
            view.state = "open";
            view.acknowledgedBy = null;
            view.snoozedUntil = null;
        } else if (event instanceof IncidentResolved resolved) {
            view.state = "resolved";
            view.resolvedBy = resolved.actor();
            view.snoozedUntil = null;
        } else if (event instanceof IncidentReopened) {
            view.state = "open";
            view.acknowledgedBy = null;
            view.resolvedBy = null;
        } else if (event instanceof IncidentSnoozed snoozed) {
            // Escalation holds a snoozed incident as acknowledged until the snooze ends (then unacknowledges it).
            view.snoozedUntil = snoozed.until();
            view.state = "acknowledged";
            if (view.acknowledgedBy == null) {
                view.acknowledgedBy = snoozed.actor();
            }
        } else if (event instanceof IncidentEscalated escalated) {
            view.escalationLevel = escalated.level();
        } else if (event instanceof NotificationRequested requested
                && Priority.UNKNOWN.name().equals(view.priority)) {
            // Heard of after it opened (events before the notifier's topic retention): take what the page says.
            view.title = requested.title();
            view.priority = requested.priority().name();
        }
        view.version++;
        view.updatedAt = latest(view.updatedAt, event.occurredAt());
    }

    private static void attach(IncidentViewRecord view, AlertAttached attached) {
        view.alerts++;
        view.firing++;
        if (view.labels == null || view.labels.isEmpty()) {
            view.labels = attached.labels();
            view.annotations = attached.annotations();
            view.generatorUrl = attached.generatorUrl();
        }
    }

    /** The view as a channel renders it. */
    static IncidentSnapshot snapshot(IncidentViewRecord view, String incidentUrlPrefix) {
        return new IncidentSnapshot(view.incidentId, view.title, view.service, Priority.fromWire(view.priority),
                view.state, view.groupLabels, view.labels, view.annotations, view.generatorUrl, view.alerts,
                view.firing, view.acknowledgedBy, view.resolvedBy, view.snoozedUntil, view.escalationLevel,
                view.openedAt, view.version, incidentUrlPrefix + view.incidentId);
    }

    private static Instant latest(Instant a, Instant b) {
        return a == null || b.isAfter(a) ? b : a;
    }
}
