package io.tocsin.escalation.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.tocsin.escalation.domain.AlertBatch;
import io.tocsin.escalation.domain.Grouping;
import io.tocsin.escalation.domain.PriorityRules;
import io.tocsin.escalation.persistence.AlertBatchStore;
import io.tocsin.escalation.persistence.EventLog;
import io.tocsin.events.AlertAttached;
import io.tocsin.events.AlertReceived;
import io.tocsin.events.AlertsAttached;
import io.tocsin.events.IncidentEvent;
import io.tocsin.outbox.OutboxRelay;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.sqlclient.DatabaseException;

/**
 * Applies the leading part of a polled batch of alert deliveries in one transaction and a few statements (ADR 17):
 * everything {@link AlertBatch#plan} covers, which is most of a storm (repeats, and new alerts joining open
 * incidents). The caller applies the delivery the plan stopped at on its own ({@link AlertIntake}), then calls again
 * with the rest; so each delivery is applied once, in order, with its processed mark, its occurrence and its events in
 * one commit. Each new alert has its own timeline entry; what is published says the same in one record per incident
 * ({@link #coalesce}): a storm's 30,000 new alerts in 300 incidents are a few hundred records for the relay, the
 * notifier and the runbook engine, not 30,000.
 */
@ApplicationScoped
public class BatchIntake {

    private final Pool pool;
    private final AlertBatchStore store;
    private final EventLog events;
    private final Grouping grouping;
    private final PriorityRules priorities;
    private final Clock clock;
    private final OutboxRelay relay;

    public BatchIntake(Pool pool, AlertBatchStore store, EventLog events, Grouping grouping, PriorityRules priorities,
            Clock clock, OutboxRelay relay) {
        this.pool = pool;
        this.store = store;
        this.events = events;
        this.grouping = grouping;
        this.priorities = priorities;
        this.clock = clock;
        this.relay = relay;
    }

    /** Applies the leading deliveries the plan covers; emits how many that is (0: the first must go on its own). */
    public Uni<Integer> applyLeading(List<AlertReceived> alerts) {
        List<AlertBatch.Delivery> deliveries = alerts.stream().map(this::delivery).toList();
        return Uni.createFrom().deferred(() -> pool.withTransaction(connection -> store.read(connection, deliveries)
                .chain(state -> {
                    AlertBatch.Plan plan = AlertBatch.plan(deliveries, state.processed(), state.stored(),
                            state.open());
                    if (!plan.writes()) {
                        return Uni.createFrom().item(plan);
                    }
                    Instant now = clock.instant();
                    List<String> marks = plan.marks().stream().map(i -> deliveries.get(i).messageId()).toList();
                    List<AlertBatchStore.NewAlert> created = new ArrayList<>(plan.created().size());
                    List<EventLog.Recorded> attached = new ArrayList<>(plan.created().size());
                    List<AlertAttached> members = new ArrayList<>(plan.created().size());
                    for (AlertBatch.NewOccurrence occurrence : plan.created()) {
                        AlertReceived alert = alerts.get(occurrence.index());
                        created.add(new AlertBatchStore.NewAlert(occurrence.incidentId(), alert.fingerprint(),
                                occurrence.priority(), alert.labels(), alert.annotations(), alert.generatorUrl(),
                                alert.source(), alert.startsAt(), occurrence.deliveries()));
                        AlertAttached member = new AlertAttached(UUID.randomUUID(), occurrence.incidentId(), now,
                                alert.fingerprint(), alert.labels(), alert.annotations(), alert.startsAt(),
                                alert.generatorUrl(), occurrence.priority());
                        members.add(member);
                        attached.add(new EventLog.Recorded(member, AlertIntake.SYSTEM,
                                "alert " + AlertIntake.describe(alert.labels()) + " fired ("
                                        + occurrence.priority() + ")"));
                    }
                    return store.write(connection, marks, plan.counts(), created, plan.incidents(), now)
                            .chain(() -> events.recordAll(connection, attached, coalesce(members, now)))
                            .replaceWith(plan);
                })))
                // Another consumer applied one of these deliveries between the read and the write (the urgent lane
                // and the main lane at the same record, ADR 19; a partition between two owners in a rebalance): read
                // again, and the plan covers it as applied.
                .onFailure(BatchIntake::isDuplicate).retry().atMost(3)
                .invoke(plan -> {
                    if (!plan.created().isEmpty()) {
                        relay.kick();
                    }
                })
                .map(AlertBatch.Plan::applied);
    }

    /**
     * Most alerts in one {@code alerts.attached}, and most characters of their labels, annotations and links. A
     * character is at most 6 bytes of JSON (a control character, escaped), so a record stays under Kafka's 1 MiB
     * default at worst: a refused record would be parked, and an incident's later events wait behind its parked rows.
     */
    static final int MOST_MEMBERS = 100;
    static final int MOST_CHARACTERS = 150_000;

    /**
     * The events to publish for alerts attached in one commit: each incident's run as one {@code alerts.attached}
     * (ADR 18), in the order they were attached, split where a record would grow past {@link #MOST_MEMBERS} or
     * {@link #MOST_CHARACTERS} (Kafka refuses records over 1 MB); a lone alert stays an {@code alert.attached}. Each
     * incident's alerts keep their order; incidents are independent records (keyed by incident).
     */
    static List<IncidentEvent> coalesce(List<AlertAttached> attached, Instant now) {
        Map<UUID, List<List<AlertAttached>>> runs = new LinkedHashMap<>();
        Map<UUID, Integer> characters = new HashMap<>();
        for (AlertAttached alert : attached) {
            List<List<AlertAttached>> chunks = runs.computeIfAbsent(alert.incidentId(), id -> new ArrayList<>());
            int weight = weight(alert);
            List<AlertAttached> last = chunks.isEmpty() ? null : chunks.get(chunks.size() - 1);
            if (last == null || last.size() >= MOST_MEMBERS
                    || characters.get(alert.incidentId()) + weight > MOST_CHARACTERS) {
                last = new ArrayList<>();
                chunks.add(last);
                characters.put(alert.incidentId(), 0);
            }
            last.add(alert);
            characters.merge(alert.incidentId(), weight, Integer::sum);
        }
        List<IncidentEvent> published = new ArrayList<>();
        runs.forEach((incident, chunks) -> chunks.forEach(chunk -> published.add(chunk.size() == 1 ? chunk.get(0)
                : AlertsAttached.of(UUID.randomUUID(), incident, now, chunk))));
        return published;
    }

    /** About how many characters an alert adds to a record. */
    private static int weight(AlertAttached alert) {
        int weight = 400 + (alert.fingerprint() == null ? 0 : alert.fingerprint().length())
                + (alert.generatorUrl() == null ? 0 : alert.generatorUrl().length());
        for (Map<String, String> map : List.of(alert.labels(), alert.annotations())) {
            for (Map.Entry<String, String> e : map.entrySet()) {
                weight += 8 + e.getKey().length() + (e.getValue() == null ? 0 : e.getValue().length());
            }
        }
        return weight;
    }

    /** A unique key another transaction wrote first (SQLSTATE 23505). */
    static boolean isDuplicate(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof DatabaseException database && "23505".equals(database.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    private AlertBatch.Delivery delivery(AlertReceived alert) {
        return new AlertBatch.Delivery("alert:" + alert.eventId(), alert.fingerprint(), alert.status(),
                alert.startsAt(), grouping.key(alert.labels()), priorities.of(alert.labels()), writable(alert));
    }

    /**
     * Whether the database can take the delivery as it is: PostgreSQL refuses a NUL character in text and jsonb, and
     * an occurrence needs its fingerprint and source. One that cannot is left to the one-at-a-time path, which
     * dead-letters it alone.
     */
    static boolean writable(AlertReceived alert) {
        if (alert.eventId() == null || alert.fingerprint() == null || alert.source() == null) {
            return false;
        }
        return clean(alert.fingerprint()) && clean(alert.source()) && clean(alert.generatorUrl())
                && clean(alert.labels()) && clean(alert.annotations());
    }

    private static boolean clean(Map<String, String> map) {
        return map.entrySet().stream().allMatch(e -> clean(e.getKey()) && clean(e.getValue()));
    }

    private static boolean clean(String text) {
        return text == null || text.indexOf('\u0000') < 0;
    }
}
