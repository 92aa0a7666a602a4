package io.tocsin.escalation.messaging;

import java.util.Comparator;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.tocsin.escalation.config.EscalationConfig;
import io.tocsin.escalation.domain.PriorityRules;
import io.tocsin.escalation.messaging.AlertWalk.Lane;
import io.tocsin.events.AlertReceived;
import io.tocsin.events.AlertStatus;
import io.tocsin.events.Priority;
import io.vertx.core.Vertx;

/**
 * The urgent lane (ADR 19): a consumer group of its own on {@code tocsin.alerts.v1} that reads every record as it
 * arrives and applies only the firing P0 and P1 alerts (by the same rules as the incident's priority), P0 first, so
 * that during a storm they do not wait behind thousands of P2/P3 alerts in the main lane's partitions. It has no
 * authority: the main lane still applies every record and recognises what this lane applied by its processed mark; a
 * record this lane cannot apply is left to the main lane, which dead-letters it if it must. Of the records it takes
 * it applies only new occurrences ({@code AlertIntake.applyIfNew}); repeats and resolutions stay in the main lane's
 * order, whatever this lane saw before (a new lane starts at the end of the topic, with the main lane's backlog
 * behind it).
 */
@ApplicationScoped
public class UrgentAlertConsumer {

    private final AlertWalk walk;
    private final PriorityRules priorities;
    private final boolean enabled;

    public UrgentAlertConsumer(AlertWalk walk, PriorityRules priorities, EscalationConfig config) {
        this.walk = walk;
        this.priorities = priorities;
        this.enabled = config.urgentLane();
    }

    @Incoming("alerts-urgent")
    @Acknowledgment(Acknowledgment.Strategy.MANUAL)
    public Uni<Void> consume(KafkaRecordBatch<String, AlertReceived> batch) {
        List<KafkaRecord<String, AlertReceived>> urgent = enabled ? urgent(batch.getRecords(), priorities) : List.of();
        Uni<Void> applied = urgent.isEmpty() ? Uni.createFrom().voidItem()
                : walk.apply(urgent, Vertx.currentContext(), Lane.URGENT);
        return applied.chain(() -> Uni.createFrom().completionStage(batch.ack()));
    }

    /**
     * The firing P0 and P1 records of a poll, P0 first; records of one priority keep their order (a stable sort), and
     * so do each fingerprint's, whose records all have one priority.
     */
    static List<KafkaRecord<String, AlertReceived>> urgent(List<KafkaRecord<String, AlertReceived>> records,
            PriorityRules priorities) {
        return records.stream()
                // Firing only: a resolution applied ahead of its firing (one the lane never saw: a backlog from before
                // the lane started) would be stale, and the alert would stay firing. A new occurrence applied ahead of
                // an older record of its fingerprint is safe: the older one is then stale (Occurrences).
                .filter(record -> record.getPayload() != null && record.getPayload().status() != AlertStatus.RESOLVED)
                .map(record -> new Taken(record, priorities.of(record.getPayload().labels())))
                .filter(taken -> taken.priority == Priority.P0 || taken.priority == Priority.P1)
                .sorted(Comparator.comparingInt(taken -> taken.priority.ordinal()))
                .map(Taken::record)
                .toList();
    }

    private record Taken(KafkaRecord<String, AlertReceived> record, Priority priority) {
    }
}
