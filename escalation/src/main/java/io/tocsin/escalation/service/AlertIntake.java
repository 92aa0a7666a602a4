package io.tocsin.escalation.service;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.OptimisticLockException;

import org.hibernate.LockMode;
import org.hibernate.StaleStateException;
import org.hibernate.exception.ConstraintViolationException;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.config.EscalationConfig;
import io.tocsin.escalation.domain.Grouping;
import io.tocsin.escalation.domain.Occurrences;
import io.tocsin.escalation.domain.Occurrences.Meaning;
import io.tocsin.escalation.domain.PriorityRules;
import io.tocsin.escalation.domain.policy.PolicySet;
import io.tocsin.escalation.metrics.EscalationMetrics;
import io.tocsin.escalation.persistence.AlertRecord;
import io.tocsin.escalation.persistence.EventLog;
import io.tocsin.escalation.persistence.IncidentRecord;
import io.tocsin.events.AlertAttached;
import io.tocsin.events.AlertReceived;
import io.tocsin.events.AlertResolved;
import io.tocsin.events.AlertStatus;
import io.tocsin.events.IncidentOpened;
import io.tocsin.events.IncidentReopened;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.Priority;
import io.tocsin.events.PriorityChanged;
import io.tocsin.outbox.Outbox;
import io.tocsin.outbox.OutboxRelay;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Applies one alert delivery to the incidents, in one transaction: the alert occurrence, the incident it joins, and the
 * events (timeline and outbox) that change causes. A redelivered message changes nothing; a repeated delivery of a
 * known occurrence changes only its counters.
 */
@ApplicationScoped
public class AlertIntake {

    /** The actor of changes Tocsin makes itself. */
    public static final String SYSTEM = "tocsin";

    private static final Logger LOG = Logger.getLogger(AlertIntake.class);

    /**
     * $1 fingerprint, $2 whether the delivery is firing, $3 its startsAt, $4 the processed-message id, $5 now, $6 its
     * startsAt truncated to the microsecond (a resolution of an occurrence older than the firing one is stale). Emits
     * whether the delivery repeats the latest occurrence (and so is done: counted now, or counted before). Its WHERE
     * clause is {@link Occurrences#classify}'s REPEAT and STALE for a known occurrence: change both together (ADR 13).
     * The occurrence is locked before the mark is written, as the bulk path locks them (ADR 19).
     */
    private static final String COUNT_REPEAT = """
            WITH latest AS (
                SELECT id, status, starts_at FROM alert WHERE fingerprint = $1 ORDER BY starts_at DESC LIMIT 1
                FOR UPDATE),
            known AS (
                SELECT id FROM latest
                WHERE (status = 'firing' AND ($2 OR starts_at - interval '1 microsecond' > $6))
                   OR (status = 'resolved' AND (NOT $2 OR $3 <= starts_at))),
            marked AS (
                INSERT INTO processed_message (message_id, processed_at) SELECT $4, $5 FROM known
                ON CONFLICT (message_id) DO NOTHING RETURNING message_id),
            counted AS (
                UPDATE alert SET deliveries = deliveries + 1, last_seen_at = $5
                WHERE id IN (SELECT id FROM known) AND EXISTS (SELECT 1 FROM marked) RETURNING id)
            SELECT EXISTS (SELECT 1 FROM known) AS repeat
            """;

    private final Mutiny.SessionFactory sessions;
    private final Pool pool;
    private final EventLog events;
    private final Grouping grouping;
    private final PriorityRules priorities;
    private final EscalationConfig config;
    private final Clock clock;
    private final OutboxRelay relay;
    private final Escalations escalations;
    private final PolicySet policies;
    private final EscalationMetrics metrics;
    private final Outbox outbox;

    public AlertIntake(Mutiny.SessionFactory sessions, Pool pool, EventLog events, Grouping grouping, PriorityRules priorities,
            EscalationConfig config, Clock clock, OutboxRelay relay, Escalations escalations, PolicySet policies,
            EscalationMetrics metrics, Outbox outbox) {
        this.metrics = metrics;
        this.outbox = outbox;
        this.relay = relay;
        this.escalations = escalations;
        this.policies = policies;
        this.sessions = sessions;
        this.pool = pool;
        this.events = events;
        this.grouping = grouping;
        this.priorities = priorities;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Applies the delivery. Most of a storm only repeats a known occurrence: one statement counts it (or sees it was
     * counted before); anything else takes a transaction, retried when another instance opened the same group's
     * incident at the same moment.
     */
    public Uni<Void> apply(AlertReceived alert) {
        return countIfRepeat(alert).chain(counted -> counted ? Uni.createFrom().voidItem() : applyFully(alert));
    }

    /**
     * Counts a delivery that only repeats the latest known occurrence of its fingerprint ({@link Occurrences}: the same
     * firing occurrence again, or a stale resolved or late firing one), marking the message processed in the same
     * statement, so it is counted once however often Kafka redelivers it. Emits false, having changed nothing, when the
     * delivery means more than that.
     */
    private Uni<Boolean> countIfRepeat(AlertReceived alert) {
        boolean firing = alert.status() != AlertStatus.RESOLVED;
        Instant now = clock.instant();
        return pool.preparedQuery(COUNT_REPEAT)
                .execute(Tuple.of(alert.fingerprint(), firing, offset(alert.startsAt()), "alert:" + alert.eventId(),
                        offset(now), offset(alert.startsAt().truncatedTo(ChronoUnit.MICROS))))
                .map(rows -> rows.iterator().next().getBoolean("repeat"));
    }

    private static OffsetDateTime offset(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    /**
     * Applies the delivery only if it is a new occurrence of its fingerprint by what is stored now (the urgent lane,
     * ADR 19); anything else (a repeat, a resolution, a stale one) is left unmarked, for the main lane to apply in its
     * partition's order. A repeat marked here could stand for a re-fire whose resolution is still in the main lane's
     * backlog: applied after it, that resolution would leave the alert resolved while it fires.
     */
    public Uni<Void> applyIfNew(AlertReceived alert) {
        return applyFully(alert, true);
    }

    private Uni<Void> applyFully(AlertReceived alert) {
        return applyFully(alert, false);
    }

    private Uni<Void> applyFully(AlertReceived alert, boolean newOnly) {
        return Uni.createFrom()
                .deferred(() -> sessions.withTransaction((session, tx) -> applyOnce(session, alert, newOnly)))
                // Jittered: two instances attaching alerts of one group to its incident collide on its version again
                // if both retry at once.
                .onFailure(AlertIntake::isConflict).retry().withBackOff(Duration.ofMillis(10), Duration.ofMillis(500))
                .withJitter(0.5).atMost(10)
                .invoke(wroteEvents -> {
                    // A repeat (most of a storm) writes no event: waking the relay for it would cost a transaction.
                    if (wroteEvents) {
                        relay.kick();
                    }
                })
                .replaceWithVoid();
    }

    /** Emits whether it wrote incident events (and so outbox rows). */
    private Uni<Boolean> applyOnce(Mutiny.Session session, AlertReceived alert, boolean newOnly) {
        String messageId = "alert:" + alert.eventId();
        Instant now = clock.instant();
        // The occurrence is locked before the mark is written, in the order the bulk path takes them (rows, then
        // marks): two lanes at one known fingerprint wait for each other rather than deadlock (a new fingerprint has
        // no row to lock; a deadlock there is retried as a passing failure).
        return latestOccurrence(session, alert.fingerprint()).chain(latest -> {
            Meaning meaning = meaning(alert, latest);
            if (newOnly && meaning != Meaning.NEW_OCCURRENCE) {
                return Uni.createFrom().item(false);
            }
            return outbox.firstTime(session, messageId, now).chain(first -> first
                    ? dispatch(session, alert, latest, meaning, now)
                    : Uni.createFrom().item(false));
        });
    }

    private static Meaning meaning(AlertReceived alert, AlertRecord latest) {
        Occurrences.Known known = latest == null ? null
                : new Occurrences.Known(AlertStatus.fromWire(latest.status), latest.startsAt);
        return Occurrences.classify(known, alert.status(), alert.startsAt());
    }

    private Uni<Boolean> dispatch(Mutiny.Session session, AlertReceived alert, AlertRecord latest, Meaning meaning,
            Instant now) {
        return switch (meaning) {
            case REPEAT, STALE -> {
                if (latest != null) {
                    latest.deliveries++;
                    latest.lastSeenAt = now;
                }
                yield Uni.createFrom().item(false);
            }
            case RESOLVES -> resolve(session, alert, latest, now).replaceWith(true);
            case NEW_OCCURRENCE -> attach(session, alert, now).replaceWith(true);
        };
    }

    private Uni<Void> attach(Mutiny.Session session, AlertReceived alert, Instant now) {
        String groupKey = grouping.key(alert.labels());
        Priority priority = priorities.of(alert.labels());
        return findIncident(session, groupKey, now).chain(found -> {
            Uni<IncidentRecord> incident;
            boolean starts = found == null || "resolved".equals(found.state);
            if (found == null) {
                incident = open(session, alert, groupKey, priority, now);
            } else if ("resolved".equals(found.state)) {
                incident = reopen(session, found, alert, now);
            } else {
                incident = Uni.createFrom().item(found);
            }
            return incident.chain(record -> {
                record.lastAlertAt = now;
                AlertRecord occurrence = occurrence(alert, record.id, priority, now);
                AlertAttached attached = new AlertAttached(UUID.randomUUID(), record.id, now, alert.fingerprint(),
                        alert.labels(), alert.annotations(), alert.startsAt(), alert.generatorUrl(), priority);
                Uni<Void> recorded = session.persist(occurrence)
                        .chain(() -> events.record(session, attached, SYSTEM,
                                "alert " + describe(alert.labels()) + " fired (" + priority + ")"));
                // A new (or reopened) incident starts its escalation once its first alert is on record; a running one
                // may only change priority.
                return starts ? recorded.chain(() -> escalations.start(session, record, alert.labels(), now))
                        : recorded.chain(() -> reprioritize(session, record, occurrence, now));
            });
        });
    }

    private Uni<Void> resolve(Mutiny.Session session, AlertReceived alert, AlertRecord occurrence, Instant now) {
        occurrence.status = "resolved";
        occurrence.endsAt = alert.endsAt() != null ? alert.endsAt() : now;
        occurrence.lastSeenAt = now;
        occurrence.deliveries++;
        return session.find(IncidentRecord.class, occurrence.incidentId).chain(incident -> {
            AlertResolved resolved = new AlertResolved(UUID.randomUUID(), incident.id, now, occurrence.fingerprint,
                    occurrence.endsAt);
            return events.record(session, resolved, SYSTEM, "alert " + describe(occurrence.labels) + " resolved")
                    .chain(() -> firingPriorities(session, incident.id, occurrence))
                    .chain(firing -> {
                        if (!firing.isEmpty()) {
                            return changePriority(session, incident, highest(firing), now,
                                    "its most urgent firing alert resolved");
                        }
                        if ("resolved".equals(incident.state)
                                || !policies.policyNamed(incident.policy).autoResolve()) {
                            return Uni.createFrom().voidItem();
                        }
                        incident.state = "resolved";
                        incident.resolvedAt = now;
                        metrics.incidentResolved(incident.priority, Duration.between(incident.openedAt, now));
                        IncidentResolved done = new IncidentResolved(UUID.randomUUID(), incident.id, now, SYSTEM,
                                "every alert resolved");
                        return events.record(session, done, SYSTEM, "resolved: every alert resolved")
                                .chain(() -> escalations.stop(session, incident.id, now));
                    });
        });
    }

    private Uni<IncidentRecord> open(Mutiny.Session session, AlertReceived alert, String groupKey, Priority priority,
            Instant now) {
        IncidentRecord incident = new IncidentRecord();
        incident.id = UUID.randomUUID();
        incident.groupKey = groupKey;
        incident.groupLabels = grouping.groupLabels(alert.labels());
        incident.title = title(alert);
        incident.service = alert.labels().getOrDefault("service", alert.labels().get("job"));
        incident.state = "open";
        incident.priority = priority.name();
        incident.openedAt = now;
        incident.lastAlertAt = now;
        incident.policy = policies.policyFor(priority, alert.labels()).name();
        metrics.incidentOpened(priority.name());
        IncidentOpened opened = new IncidentOpened(UUID.randomUUID(), incident.id, now, groupKey, incident.title,
                incident.service, priority, incident.groupLabels);
        return session.persist(incident)
                .chain(() -> events.record(session, opened, SYSTEM, "opened " + priority + ": " + incident.title))
                .replaceWith(incident);
    }

    private Uni<IncidentRecord> reopen(Mutiny.Session session, IncidentRecord incident, AlertReceived alert,
            Instant now) {
        incident.state = "open";
        incident.resolvedAt = null;
        IncidentReopened reopened = new IncidentReopened(UUID.randomUUID(), incident.id, now,
                "fired again within the flap window of " + config.flapWindow().toSeconds() + " s");
        return events.record(session, reopened, SYSTEM, "reopened: flapping, fired again soon after resolving")
                .replaceWith(incident);
    }

    /** Sets the incident's priority to the most urgent of its firing alerts, counting one that is not flushed yet. */
    private Uni<Void> reprioritize(Mutiny.Session session, IncidentRecord incident, AlertRecord added, Instant now) {
        return firingPriorities(session, incident.id, added).chain(firing -> {
            List<Priority> all = new ArrayList<>(firing);
            all.add(Priority.fromWire(added.priority));
            return changePriority(session, incident, highest(all), now, "a more urgent alert fired");
        });
    }

    private Uni<Void> changePriority(Mutiny.Session session, IncidentRecord incident, Priority to, Instant now,
            String reason) {
        Priority from = Priority.fromWire(incident.priority);
        if (from == to || incident.priorityOverride != null) {
            return Uni.createFrom().voidItem();
        }
        incident.priority = to.name();
        String why = to.isHigherThan(from) ? reason : "its most urgent firing alert resolved";
        PriorityChanged changed = new PriorityChanged(UUID.randomUUID(), incident.id, now, from, to, SYSTEM, why);
        return events.record(session, changed, SYSTEM, "priority " + from + " → " + to + ": " + why)
                .chain(() -> escalations.priorityChanged(session, incident, incident.groupLabels, now));
    }

    /** Priorities of the incident's firing alerts other than {@code except} (whose state may not be flushed yet). */
    private static Uni<List<Priority>> firingPriorities(Mutiny.Session session, UUID incidentId, AlertRecord except) {
        return session.createSelectionQuery(
                "from AlertRecord where incidentId = :incident and status = 'firing'", AlertRecord.class)
                .setParameter("incident", incidentId)
                .getResultList()
                .map(alerts -> alerts.stream()
                        .filter(alert -> alert != except && "firing".equals(alert.status))
                        .map(alert -> Priority.fromWire(alert.priority))
                        .toList());
    }

    private Uni<IncidentRecord> findIncident(Mutiny.Session session, String groupKey, Instant now) {
        return session.createSelectionQuery(
                "from IncidentRecord where groupKey = :key and (state <> 'resolved' or resolvedAt >= :since) "
                        + "order by openedAt desc",
                IncidentRecord.class)
                .setParameter("key", groupKey)
                .setParameter("since", now.minus(config.flapWindow()))
                .setMaxResults(1)
                .getSingleResultOrNull();
    }

    /**
     * Locked: the same alert can reach two partitions (an alert in two Alertmanager groups), and so two consumers at
     * once; two resolutions must not both find it firing and both resolve it. The second waits, then finds it resolved.
     */
    private static Uni<AlertRecord> latestOccurrence(Mutiny.Session session, String fingerprint) {
        return session.createSelectionQuery("from AlertRecord where fingerprint = :fingerprint order by startsAt desc",
                AlertRecord.class)
                .setParameter("fingerprint", fingerprint)
                .setMaxResults(1)
                .setLockMode(LockMode.PESSIMISTIC_WRITE)
                .getSingleResultOrNull();
    }

    private static AlertRecord occurrence(AlertReceived alert, UUID incidentId, Priority priority, Instant now) {
        AlertRecord record = new AlertRecord();
        record.incidentId = incidentId;
        record.fingerprint = alert.fingerprint();
        record.status = "firing";
        record.priority = priority.name();
        record.labels = alert.labels();
        record.annotations = alert.annotations();
        record.generatorUrl = alert.generatorUrl();
        record.source = alert.source();
        record.startsAt = alert.startsAt();
        record.firstSeenAt = now;
        record.lastSeenAt = now;
        record.deliveries = 1;
        return record;
    }

    private static Priority highest(List<Priority> priorities) {
        return priorities.stream().min(Comparator.naturalOrder()).orElse(Priority.P3);
    }

    private static String title(AlertReceived alert) {
        String summary = alert.annotations().get("summary");
        return summary != null && !summary.isBlank() ? summary : alert.labels().getOrDefault("alertname", "alert");
    }

    static String describe(Map<String, String> labels) {
        return labels.getOrDefault("alertname", "?") + (labels.containsKey("instance")
                ? " on " + labels.get("instance")
                : "");
    }

    private static boolean isConflict(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            // Another instance opened the group's incident at the same moment (its unique group key), or changed the
            // incident this transaction read (its version): read again and apply.
            if (cause instanceof ConstraintViolationException || cause instanceof OptimisticLockException
                    || cause instanceof StaleStateException
                    || String.valueOf(cause.getMessage()).contains("23505")) {
                LOG.debugf("conflicting write, retrying: %s", cause.getMessage());
                return true;
            }
        }
        return false;
    }
}
