package io.tocsin.escalation.messaging;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.tocsin.escalation.messaging.AlertWalk.Lane;
import io.tocsin.events.AlertReceived;
import io.vertx.core.Vertx;

/**
 * The main lane: reads {@code tocsin.alerts.v1} a polled batch at a time and applies every record, in its partition's
 * order ({@link AlertWalk}); the offsets are committed only after every record of the batch was applied (or
 * dead-lettered), each in a transaction that committed. A record that cannot be read, or whose application fails in a
 * way retrying cannot mend, is dead-lettered alone while the rest flow on; a transient failure is retried for as long
 * as it lasts, holding the partition, so no alert is skipped (ADR 14, ADR 17). What the urgent lane applied before
 * (ADR 19) is recognised by its processed mark and changes nothing. This method never fails: a failed batch would be
 * nacked whole, every record dead-lettered.
 */
@ApplicationScoped
public class AlertConsumer {

    private final AlertWalk walk;

    public AlertConsumer(AlertWalk walk) {
        this.walk = walk;
    }

    @Incoming("alerts")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public Uni<Void> consume(KafkaRecordBatch<String, AlertReceived> batch) {
        return walk.apply(batch.getRecords(), Vertx.currentContext(), Lane.MAIN)
                .chain(() -> Uni.createFrom().completionStage(batch.ack()));
    }
}
