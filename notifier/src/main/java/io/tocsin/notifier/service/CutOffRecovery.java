package io.tocsin.notifier.service;

import java.time.Clock;
import java.time.Instant;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import org.hibernate.LockMode;
import org.hibernate.reactive.mutiny.Mutiny;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.tocsin.events.NotificationOutcome;
import io.tocsin.notifier.config.NotifierConfig;
import io.tocsin.notifier.domain.DeliveryAction;
import io.tocsin.notifier.metrics.NotifierMetrics;
import io.tocsin.notifier.persistence.DeliveryRecord;
import io.tocsin.outbox.OutboxRelay;

/**
 * Finds deliveries left {@code sending} by an instance that stopped during the call. Those whose receiver drops
 * repeats are sent again; the others are marked unknown rather than risk notifying someone twice (ADR 9).
 */
@ApplicationScoped
public class CutOffRecovery {

    private static final Logger LOG = Logger.getLogger(CutOffRecovery.class);

    private final Mutiny.SessionFactory sessions;
    private final DeliveryResults results;
    private final OutboxRelay relay;
    private final NotifierConfig config;
    private final NotifierMetrics metrics;
    private final Clock clock;

    public CutOffRecovery(Mutiny.SessionFactory sessions, DeliveryResults results, OutboxRelay relay,
            NotifierConfig config, NotifierMetrics metrics, Clock clock) {
        this.sessions = sessions;
        this.results = results;
        this.relay = relay;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Emits how many cut-off deliveries it found. {@code ownInFlight}: the deliveries this instance is still sending or
     * recording (the database away longer than the timeout): not cut off, and never sent twice because of it.
     */
    Uni<Integer> recover(Set<Long> ownInFlight) {
        Instant now = clock.instant();
        Instant cutoff = now.minus(config.delivery().inFlightTimeout());
        return sessions.withTransaction((session, tx) -> session
                .createSelectionQuery("from DeliveryRecord where status = 'sending' and attemptStartedAt < :cutoff",
                        DeliveryRecord.class)
                .setParameter("cutoff", cutoff).setMaxResults(500).setLockMode(LockMode.UPGRADE_SKIPLOCKED)
                .getResultList()
                .chain(rows -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (DeliveryRecord row : rows) {
                        if (ownInFlight.contains(row.id)) {
                            continue;
                        }
                        chain = chain.call(() -> {
                            if (DeliveryAction.fromWire(row.action).safeToResend()) {
                                row.status = DeliveryRecord.PENDING;
                                row.nextAttemptAt = now;
                                row.lastError = "attempt " + row.attempts + " was cut off; sent again, the receiver "
                                        + "drops repeats";
                                return Uni.createFrom().voidItem();
                            }
                            row.status = DeliveryRecord.UNKNOWN;
                            row.finishedAt = now;
                            row.lastError = "the notifier stopped during the call; not sent again, so nobody is "
                                    + "notified twice";
                            metrics.attempt(row.channel, "unknown", null);
                            return results.outcome(session, row, NotificationOutcome.Status.UNKNOWN, row.lastError,
                                    null, now).replaceWithVoid();
                        });
                    }
                    return chain.replaceWith(rows.size());
                }))
                .invoke(recovered -> {
                    if (recovered > 0) {
                        LOG.warnf("%d deliveries were cut off by a stop during their call", recovered);
                        relay.kick();
                    }
                });
    }
}
