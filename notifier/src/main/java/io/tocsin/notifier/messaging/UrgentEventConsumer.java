package io.tocsin.notifier.messaging;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.IncidentOpened;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.Priority;
import io.tocsin.notifier.config.NotifierConfig;
import io.tocsin.notifier.service.EventIntake;

/**
 * The urgent lane (ADR 19): a consumer group of its own on {@code tocsin.incidents.v1} that reads every event as it
 * arrives and applies those of new P0 and P1 incidents, so that their first messages and pages do not wait behind a
 * storm's events in the main lane's partitions. An incident is taken at its {@code incident.opened} (nothing of it
 * comes before), and from then on every event of it, in order, until it resolves; an event of it the lane fails to
 * apply ends the taking, so the lane never applies an incident's event before one it skipped. It has no authority: the
 * main lane still applies every event and recognises what this lane applied by its processed mark; the lane never
 * dead-letters. What it took is held in memory and forgotten when its partitions move ({@link UrgentLaneRebalance}):
 * after a restart or a rebalance the main lane carries those incidents on.
 */
@ApplicationScoped
public class UrgentEventConsumer {

    private static final Logger LOG = Logger.getLogger(UrgentEventConsumer.class);

    /** The incidents taken at most; the eldest is let go first (the main lane carries it on). */
    static final int MOST_TAKEN = 10_000;

    private final EventIntake intake;
    private final boolean enabled;
    private final Set<UUID> taken = Collections.newSetFromMap(Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
                    return size() > MOST_TAKEN;
                }
            }));

    public UrgentEventConsumer(EventIntake intake, NotifierConfig config) {
        this.intake = intake;
        this.enabled = config.urgentLane();
    }

    @Incoming("incidents-urgent")
    public Uni<Void> consume(IncidentEvent event) {
        if (!enabled || event == null || !takes(event)) {
            return Uni.createFrom().voidItem();
        }
        UUID incident = event.incidentId();
        return Uni.createFrom().deferred(() -> intake.apply(event))
                .invoke(() -> {
                    if (event instanceof IncidentResolved) {
                        taken.remove(incident);
                    }
                })
                .replaceWithVoid()
                .onFailure().recoverWithItem(failure -> {
                    // Its later events are the main lane's now: none may be applied before this one.
                    taken.remove(incident);
                    LOG.warnf("the urgent lane left incident %s to the main lane at event %s: %s", incident,
                            event.eventId(), failure);
                    return null;
                });
    }

    /** Lets go of every incident taken: its later events are the main lane's (its partitions moved). */
    void forgetAll() {
        taken.clear();
    }

    /** Whether the lane applies the event: it opens a P0 or P1 incident, or belongs to one the lane took. */
    boolean takes(IncidentEvent event) {
        if (event instanceof IncidentOpened opened) {
            if (opened.priority() == Priority.P0 || opened.priority() == Priority.P1) {
                taken.add(opened.incidentId());
                return true;
            }
            return false;
        }
        return event.incidentId() != null && taken.contains(event.incidentId());
    }
}
