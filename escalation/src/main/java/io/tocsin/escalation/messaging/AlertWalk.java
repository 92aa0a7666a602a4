package io.tocsin.escalation.messaging;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.tocsin.escalation.config.EscalationConfig;
import io.tocsin.escalation.metrics.EscalationMetrics;
import io.tocsin.escalation.service.AlertIntake;
import io.tocsin.escalation.service.BatchIntake;
import io.tocsin.events.AlertReceived;
import io.vertx.core.Context;

/**
 * Applies a list of alert records in their order: in bulk as far as the plan covers ({@link BatchIntake}), the record
 * it stopped at on its own ({@link AlertIntake}), then the bulk again after it (ADR 17). A transient failure (the
 * database or Kafka away) is retried with backoff for as long as it lasts. What happens to a record that cannot be
 * applied depends on the lane: the main lane owns every record and dead-letters it alone (nacked: the connector writes
 * it to the dead-letter topic); the urgent lane only goes ahead of the main lane (ADR 19), one record at a time and
 * new occurrences only, and leaves the rest to it.
 */
@ApplicationScoped
public class AlertWalk {

    private static final Logger LOG = Logger.getLogger(AlertWalk.class);

    /** Who applies the records, and so what becomes of one that cannot be applied. */
    public enum Lane {
        /** Every alert in arrival order; dead-letters what cannot be applied. */
        MAIN("main"),
        /** P0 and P1 alerts ahead of the backlog; leaves what it cannot apply to the main lane. */
        URGENT("urgent");

        final String tag;

        Lane(String tag) {
            this.tag = tag;
        }
    }

    private static final int MOST_ALONE = 64;

    private final AlertIntake intake;
    private final BatchIntake batches;
    private final EscalationMetrics metrics;
    private final boolean bulk;

    public AlertWalk(AlertIntake intake, BatchIntake batches, EscalationMetrics metrics, EscalationConfig config) {
        this.intake = intake;
        this.batches = batches;
        this.metrics = metrics;
        this.bulk = config.bulkIntake();
    }

    /**
     * Applies the records; completes when each is applied (or, in the main lane, dead-lettered). Each step goes on on
     * {@code context} (the batch's own Vert.x context): the SQL client and the Kafka producer call back on theirs, and
     * Hibernate Reactive (the one-at-a-time path) works only on the safe context the connector gave the batch.
     */
    public Uni<Void> apply(List<KafkaRecord<String, AlertReceived>> records, Context context, Lane lane) {
        Walk walk = new Walk(records, context, lane, bulk);
        Uni<Void> applied = Uni.createFrom().deferred(() -> step(walk));
        if (context != null) {
            // A retry resubscribes from a timer thread: back on the batch's context, where Hibernate Reactive works.
            applied = applied.runSubscriptionOn(command -> context.runOnContext(ignored -> command.run()));
        }
        return applied
                // Not expected: every step handles its own failures. Applied again from the record that failed (what
                // was applied is recognised and skipped), rather than failed: a failed batch is nacked whole, every
                // record dead-lettered.
                .onFailure().invoke(failure -> LOG.errorf(failure,
                        "applying %d alerts (%s lane) failed at record %d, retrying from it", records.size(), lane.tag,
                        walk.next))
                .onFailure().retry().withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(15)).indefinitely();
    }

    /** Where a list of records stands. */
    private static final class Walk {
        final List<KafkaRecord<String, AlertReceived>> records;
        final Context context;
        final Lane lane;
        /** The first record not applied yet. */
        int next;
        /** False after the bulk failed deterministically: the rest goes one at a time. */
        boolean bulk;
        /** Records to apply one at a time before the bulk is tried again. */
        int alone;
        /**
         * What {@code alone} becomes after a plan that covered nothing, doubling up to {@link #MOST_ALONE}: a run of
         * resolutions or new groups (a fleet recovering) costs a few plans, not one per record.
         */
        int stall = 1;

        Walk(List<KafkaRecord<String, AlertReceived>> records, Context context, Lane lane, boolean bulk) {
            this.records = records;
            this.context = context;
            this.lane = lane;
            // The urgent lane applies new occurrences only, each on its own (AlertIntake.applyIfNew): a bulk plan
            // would also mark repeats, which must stay in the main lane's order.
            this.bulk = bulk && lane == Lane.MAIN;
        }
    }

    /**
     * Applies the records from {@code walk.next} on: in bulk as far as the plan covers, the record it stopped at
     * alone.
     */
    private Uni<Void> step(Walk walk) {
        List<KafkaRecord<String, AlertReceived>> records = walk.records;
        if (walk.next >= records.size()) {
            return Uni.createFrom().voidItem();
        }
        KafkaRecord<String, AlertReceived> first = records.get(walk.next);
        if (first.getPayload() == null) {
            return back(unreadable(first, walk.lane), walk.context)
                    .invoke(() -> walk.next++)
                    .chain(() -> step(walk));
        }
        if (!walk.bulk || walk.alone > 0) {
            return back(one(first, walk.lane), walk.context)
                    .invoke(() -> {
                        metrics.alertsApplied(walk.lane.tag, "alone", 1);
                        walk.next++;
                        walk.alone = Math.max(0, walk.alone - 1);
                    })
                    .chain(() -> step(walk));
        }
        int end = walk.next;
        while (end < records.size() && records.get(end).getPayload() != null) {
            end++;
        }
        List<AlertReceived> readable = records.subList(walk.next, end).stream().map(KafkaRecord::getPayload).toList();
        int readableEnd = end;
        return back(ConsumerFailures.retryWhileTransient(() -> batches.applyLeading(readable),
                "alert batch of " + readable.size()), walk.context)
                .onFailure().recoverWithItem(failure -> {
                    LOG.warnf("a batch of %d alerts (%s lane) could not be applied in bulk, applying them one at a"
                            + " time: %s", readable.size(), walk.lane.tag, failure);
                    return -1;
                })
                .chain(applied -> {
                    if (applied < 0) {
                        walk.bulk = false;
                    } else if (applied == 0) {
                        walk.alone = walk.stall;
                        walk.stall = Math.min(walk.stall * 2, MOST_ALONE);
                    } else {
                        metrics.alertsApplied(walk.lane.tag, "bulk", applied);
                        walk.next += applied;
                        walk.stall = 1;
                        // Stopped at a record the bulk leaves alone: that one next, without another plan first.
                        walk.alone = walk.next < readableEnd ? 1 : 0;
                    }
                    return step(walk);
                });
    }

    private static <T> Uni<T> back(Uni<T> step, Context context) {
        return context == null ? step : step.emitOn(command -> context.runOnContext(ignored -> command.run()));
    }

    /** A record that is not an AlertReceived: the main lane dead-letters it; the urgent lane never takes one. */
    private Uni<Void> unreadable(KafkaRecord<String, AlertReceived> record, Lane lane) {
        if (lane == Lane.URGENT) {
            return Uni.createFrom().voidItem();
        }
        return Uni.createFrom()
                .completionStage(record.nack(new IllegalArgumentException("the record is not an AlertReceived")))
                .invoke(() -> metrics.deadLettered("alerts"));
    }

    /**
     * Applies one record on its own. In the main lane one that cannot be applied is dead-lettered; the urgent lane
     * leaves it to the main lane, which reaches it in its turn and dead-letters it there.
     */
    private Uni<Void> one(KafkaRecord<String, AlertReceived> record, Lane lane) {
        AlertReceived alert = record.getPayload();
        if (lane == Lane.URGENT) {
            return ConsumerFailures
                    .<Void> retryWhileTransient(() -> intake.applyIfNew(alert), "urgent alert " + alert.eventId())
                    .onFailure().recoverWithItem(failure -> {
                        LOG.warnf("the urgent lane left alert %s to the main lane: %s", alert.eventId(), failure);
                        return null;
                    });
        }
        return ConsumerFailures.<Void> apply(() -> intake.apply(alert), "alert " + alert.eventId(),
                () -> metrics.deadLettered("alerts"))
                .onFailure().recoverWithUni(failure -> Uni.createFrom().completionStage(record.nack(failure)));
    }
}
