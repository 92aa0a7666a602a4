package io.tocsin.escalation.service;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.persistence.IncidentRecord;
import io.tocsin.escalation.persistence.TimelineEntryRecord;
import io.tocsin.events.NotificationOutcome;

/**
 * Puts the notifier's delivery outcomes on the incident timeline: "slack #db-oncall: posted", "pagerduty: HTTP 503,
 * retrying in 4s", "email: not sent: channel not configured". Each outcome once, by its event id.
 */
@ApplicationScoped
public class DeliveryRecords {

    /** The actor of delivery lines on the timeline. */
    public static final String NOTIFIER = "notifier";

    private static final Logger LOG = Logger.getLogger(DeliveryRecords.class);

    private final Mutiny.SessionFactory sessions;

    public DeliveryRecords(Mutiny.SessionFactory sessions) {
        this.sessions = sessions;
    }

    public Uni<Void> record(NotificationOutcome outcome) {
        return sessions.withTransaction((session, tx) -> session
                .createSelectionQuery("select count(*) from TimelineEntryRecord where eventId = :id", Long.class)
                .setParameter("id", outcome.eventId()).getSingleResult()
                .chain(seen -> seen > 0 ? Uni.createFrom().voidItem()
                        : session.find(IncidentRecord.class, outcome.incidentId()).chain(incident -> {
                            if (incident == null) {
                                LOG.infof("outcome %s is about unknown incident %s; not recorded", outcome.eventId(),
                                        outcome.incidentId());
                                return Uni.createFrom().voidItem();
                            }
                            TimelineEntryRecord entry = new TimelineEntryRecord();
                            entry.incidentId = outcome.incidentId();
                            entry.eventId = outcome.eventId();
                            entry.kind = "notification." + outcome.status().wire();
                            entry.actor = NOTIFIER;
                            entry.occurredAt = outcome.occurredAt();
                            entry.summary = summary(outcome);
                            return session.persist(entry);
                        })));
    }

    /** One line for people, such as {@code slack #db-oncall, slack.post (attempt 1): delivered, posted to C01}. */
    static String summary(NotificationOutcome outcome) {
        String target = outcome.target() == null ? "?" : outcome.target().toString();
        String line = target + ", " + outcome.action() + " (attempt " + outcome.attempt() + "): "
                + outcome.status().wire() + (outcome.detail() == null ? "" : ", " + outcome.detail());
        return line.length() > 1000 ? line.substring(0, 999) + "…" : line;
    }
}
