package io.tocsin.escalation.service;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
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
import io.tocsin.outbox.OutboxRelay;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Applies the leading part of a polled batch of alert deliveries in one transaction and a few statements (ADR 17):
 * everything {@link AlertBatch#plan} covers, which is most of a storm (repeats, and new alerts joining open
 * incidents). The caller applies the delivery the plan stopped at on its own ({@link AlertIntake}), then calls again
 * with the rest; so each delivery is applied once, in order, with its processed mark, its occurrence and its events in
 * one commit.
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
                    for (AlertBatch.NewOccurrence occurrence : plan.created()) {
                        AlertReceived alert = alerts.get(occurrence.index());
                        created.add(new AlertBatchStore.NewAlert(occurrence.incidentId(), alert.fingerprint(),
                                occurrence.priority(), alert.labels(), alert.annotations(), alert.generatorUrl(),
                                alert.source(), alert.startsAt(), occurrence.deliveries()));
                        attached.add(new EventLog.Recorded(
                                new AlertAttached(UUID.randomUUID(), occurrence.incidentId(), now, alert.fingerprint(),
                                        alert.labels(), alert.annotations(), alert.startsAt(), alert.generatorUrl(),
                                        occurrence.priority()),
                                AlertIntake.SYSTEM, "alert " + AlertIntake.describe(alert.labels()) + " fired ("
                                        + occurrence.priority() + ")"));
                    }
                    return store.write(connection, marks, plan.counts(), created, plan.incidents(), now)
                            .chain(() -> events.recordAll(connection, attached))
                            .replaceWith(plan);
                })))
                .invoke(plan -> {
                    if (!plan.created().isEmpty()) {
                        relay.kick();
                    }
                })
                .map(AlertBatch.Plan::applied);
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
