package io.tocsin.escalation.service;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.persistence.EventLog;
import io.tocsin.escalation.persistence.IncidentRecord;
import io.tocsin.events.RunbookEvent;
import io.tocsin.events.RunbookProgressed;
import io.tocsin.outbox.OutboxRelay;

/**
 * Puts the runbook engine's events on the incident timeline ({@code runbook.step.failed}: "runbook restart-checkout,
 * step "restart" (http): failed: HTTP 503") and passes each on as a {@link RunbookProgressed}, in one transaction.
 * Each event once, by its event id, which the incident event keeps. The incident's state is left as it is.
 */
@ApplicationScoped
public class RunbookRecords {

    private static final Logger LOG = Logger.getLogger(RunbookRecords.class);
    private static final int MAX_SUMMARY = 1000;

    private final Mutiny.SessionFactory sessions;
    private final EventLog events;
    private final OutboxRelay relay;

    public RunbookRecords(Mutiny.SessionFactory sessions, EventLog events, OutboxRelay relay) {
        this.sessions = sessions;
        this.events = events;
        this.relay = relay;
    }

    public Uni<Void> record(RunbookEvent event) {
        return sessions.withTransaction((session, tx) -> session
                .createSelectionQuery("select count(*) from TimelineEntryRecord where eventId = :id", Long.class)
                .setParameter("id", event.eventId()).getSingleResult()
                .chain(seen -> seen > 0 ? Uni.createFrom().voidItem()
                        : session.find(IncidentRecord.class, event.incidentId()).chain(incident -> {
                            if (incident == null) {
                                LOG.infof("runbook event %s is about unknown incident %s; not recorded",
                                        event.eventId(), event.incidentId());
                                return Uni.createFrom().voidItem();
                            }
                            return events.record(session, RunbookProgressed.of(event), kind(event), actor(event),
                                    summary(event));
                        })))
                .invoke(relay::kick);
    }

    /** The timeline kind, such as {@code runbook.step.failed}. */
    static String kind(RunbookEvent event) {
        return "runbook." + (event.kind() == null ? RunbookEvent.Kind.UNKNOWN : event.kind()).wire();
    }

    private static String actor(RunbookEvent event) {
        if (event.actor() != null && !event.actor().isBlank()) {
            return event.actor();
        }
        return "runbook:" + (event.runbook() == null ? "unknown" : event.runbook());
    }

    /** One line for people, such as {@code runbook restart-checkout, step "restart" (http): failed: HTTP 503}. */
    static String summary(RunbookEvent event) {
        StringBuilder line = new StringBuilder("runbook ").append(event.runbook() == null ? "?" : event.runbook());
        if (event.dryRun()) {
            line.append(" (dry run)");
        }
        if (event.step() != null) {
            line.append(", step \"").append(event.step()).append('"');
            if (event.stepKind() != null) {
                line.append(" (").append(event.stepKind()).append(')');
            }
        }
        String what = event.summary() == null || event.summary().isBlank()
                ? (event.kind() == null ? RunbookEvent.Kind.UNKNOWN : event.kind()).wire()
                : event.summary();
        line.append(": ").append(what);
        return line.length() > MAX_SUMMARY ? line.substring(0, MAX_SUMMARY - 1) + "…" : line.toString();
    }
}
