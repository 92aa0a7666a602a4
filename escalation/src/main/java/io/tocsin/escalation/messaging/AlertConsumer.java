package io.tocsin.escalation.messaging;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.tocsin.escalation.config.EscalationConfig;
import io.tocsin.escalation.metrics.EscalationMetrics;
import io.tocsin.escalation.service.AlertIntake;
import io.tocsin.escalation.service.BatchIntake;
import io.tocsin.events.AlertReceived;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Reads {@code tocsin.alerts.v1} a polled batch at a time; the offsets are committed only after every record of the
 * batch was applied (or dead-lettered), each in a transaction that committed.
 * <p>
 * A batch is applied in bulk as far as it can be ({@link BatchIntake}); the record the bulk stops at is applied on its
 * own ({@link AlertIntake}), then the bulk goes on after it, so the records take effect in their partition's order. A
 * record that cannot be read, or whose application fails in a way retrying cannot mend, is dead-lettered alone
 * (nacked: the connector writes it to the dead-letter topic) while the rest flow on. A transient failure (the database
 * or Kafka away) is retried with backoff for as long as it lasts, holding the partition, so no alert is skipped (ADR
 * 14, ADR 17). This method never fails: a failed batch would be nacked whole, every record dead-lettered.
 */
@ApplicationScoped
public class AlertConsumer {

    private static final Logger LOG = Logger.getLogger(AlertConsumer.class);

    private final AlertIntake intake;
    private final BatchIntake batches;
    private final EscalationMetrics metrics;
    private final boolean bulk;

    public AlertConsumer(AlertIntake intake, BatchIntake batches, EscalationMetrics metrics,
            EscalationConfig config) {
        this.intake = intake;
        this.batches = batches;
        this.metrics = metrics;
        this.bulk = config.bulkIntake();
    }

    @Incoming("alerts")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public Uni<Void> consume(KafkaRecordBatch<String, AlertReceived> batch) {
        Walk walk = new Walk(batch.getRecords(), Vertx.currentContext(), bulk);
        Uni<Void> applied = Uni.createFrom().deferred(() -> step(walk));
        if (walk.context != null) {
            // A retry resubscribes from a timer thread: back on the batch's context, where Hibernate Reactive works.
            applied = applied.runSubscriptionOn(command -> walk.context.runOnContext(ignored -> command.run()));
        }
        return applied
                // Not expected: every step handles its own failures. Applied again from the record that failed (what
                // was applied is recognised and skipped), rather than nacked: a nacked batch is dead-lettered whole.
                .onFailure().invoke(failure -> LOG.errorf(failure,
                        "applying a batch of %d alerts failed at record %d, retrying from it", walk.records.size(),
                        walk.next))
                .onFailure().retry().withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(15)).indefinitely()
                .chain(() -> Uni.createFrom().completionStage(batch.ack()));
    }

    /** Where a batch stands. */
    private static final class Walk {
        final List<KafkaRecord<String, AlertReceived>> records;
        final Context context;
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

        Walk(List<KafkaRecord<String, AlertReceived>> records, Context context, boolean bulk) {
            this.records = records;
            this.context = context;
            this.bulk = bulk;
        }
    }

    private static final int MOST_ALONE = 64;

    /**
     * Applies the batch from {@code walk.next} on: in bulk as far as the plan covers, the record it stopped at alone.
     * Each step goes on on the batch's own Vert.x context: the SQL client and the Kafka producer call back on theirs,
     * and Hibernate Reactive (the one-at-a-time path) works only on the safe context the connector gave the batch.
     */
    private Uni<Void> step(Walk walk) {
        List<KafkaRecord<String, AlertReceived>> records = walk.records;
        if (walk.next >= records.size()) {
            return Uni.createFrom().voidItem();
        }
        KafkaRecord<String, AlertReceived> first = records.get(walk.next);
        if (first.getPayload() == null) {
            return back(Uni.createFrom()
                    .completionStage(first.nack(new IllegalArgumentException("the record is not an AlertReceived"))),
                    walk.context)
                    .invoke(() -> {
                        metrics.deadLettered("alerts");
                        walk.next++;
                    })
                    .chain(() -> step(walk));
        }
        if (!walk.bulk || walk.alone > 0) {
            return back(one(first), walk.context)
                    .invoke(() -> {
                        metrics.alertsApplied("alone", 1);
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
                    LOG.warnf("a batch of %d alerts could not be applied in bulk, applying them one at a time: %s",
                            readable.size(), failure);
                    return -1;
                })
                .chain(applied -> {
                    if (applied < 0) {
                        walk.bulk = false;
                    } else if (applied == 0) {
                        walk.alone = walk.stall;
                        walk.stall = Math.min(walk.stall * 2, MOST_ALONE);
                    } else {
                        metrics.alertsApplied("bulk", applied);
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

    /** Applies one record on its own; one that cannot be applied is dead-lettered. */
    private Uni<Void> one(KafkaRecord<String, AlertReceived> record) {
        AlertReceived alert = record.getPayload();
        return ConsumerFailures.<Void> apply(() -> intake.apply(alert), "alert " + alert.eventId(),
                () -> metrics.deadLettered("alerts"))
                .onFailure().recoverWithUni(failure -> Uni.createFrom().completionStage(record.nack(failure)));
    }
}
