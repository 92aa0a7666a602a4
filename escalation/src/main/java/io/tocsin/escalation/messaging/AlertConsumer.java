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
        List<KafkaRecord<String, AlertReceived>> records = batch.getRecords();
        Context context = Vertx.currentContext();
        return Uni.createFrom().deferred(() -> from(records, 0, bulk, context))
                // Not expected: every step handles its own failures. Applied again from the start (what was applied
                // is recognised and skipped), rather than nacked: a nacked batch is dead-lettered whole.
                .onFailure().invoke(failure -> LOG.errorf(failure, "applying a batch of %d alerts failed, retrying it",
                        records.size()))
                .onFailure().retry().withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(15)).indefinitely()
                .chain(() -> Uni.createFrom().completionStage(batch.ack()));
    }

    /**
     * Applies {@code records} from {@code start} on, in bulk while {@code bulk} holds. Each step goes on on the
     * record's own Vert.x context: the SQL client and the Kafka producer call back on theirs, and Hibernate Reactive
     * (the one-at-a-time path) works only on the safe context the connector gave the batch.
     */
    private Uni<Void> from(List<KafkaRecord<String, AlertReceived>> records, int start, boolean bulk,
            Context context) {
        if (start >= records.size()) {
            return Uni.createFrom().voidItem();
        }
        KafkaRecord<String, AlertReceived> first = records.get(start);
        if (first.getPayload() == null) {
            metrics.deadLettered("alerts");
            return back(Uni.createFrom()
                    .completionStage(first.nack(new IllegalArgumentException("the record is not an AlertReceived"))),
                    context)
                    .chain(() -> from(records, start + 1, bulk, context));
        }
        int end = start;
        while (end < records.size() && records.get(end).getPayload() != null) {
            end++;
        }
        List<AlertReceived> readable = records.subList(start, end).stream().map(KafkaRecord::getPayload).toList();
        Uni<Integer> leading = !bulk ? Uni.createFrom().item(0)
                : back(ConsumerFailures.retryWhileTransient(() -> batches.applyLeading(readable),
                        "alert batch of " + readable.size()), context)
                        .onFailure().recoverWithItem(failure -> {
                            LOG.warnf("a batch of %d alerts could not be applied in bulk, applying them one at a time: %s",
                                    readable.size(), failure);
                            return -1;
                        });
        int readableEnd = end;
        return leading.chain(applied -> {
            boolean stillBulk = applied >= 0;
            int next = start + Math.max(applied, 0);
            if (next >= readableEnd) {
                return from(records, next, stillBulk, context);
            }
            return back(one(records.get(next)), context).chain(() -> from(records, next + 1, stillBulk, context));
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
