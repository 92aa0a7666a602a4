package io.tocsin.escalation.messaging;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.tocsin.escalation.metrics.EscalationMetrics;
import io.tocsin.escalation.service.AlertIntake;
import io.tocsin.events.AlertReceived;
import io.tocsin.outbox.Failures;

/**
 * Reads {@code tocsin.alerts.v1} a polled batch at a time and applies the whole batch in one transaction, which is
 * what lets escalation keep up with an alert storm; the offsets are committed only after it committed. When the batch
 * transaction fails, its records are applied one by one: a record that can never apply (unreadable, breaking a
 * constraint) goes to the dead-letter topic and the partition flows on; anything else (the database or Kafka away)
 * is retried with backoff until it succeeds, holding the partition, so no alert is skipped.
 */
@ApplicationScoped
public class AlertConsumer {

    private static final Logger LOG = Logger.getLogger(AlertConsumer.class);
    private static final String FAILURE_DATA = "deserialization-failure-data";

    private final AlertIntake intake;
    private final EscalationMetrics metrics;
    private final MutinyEmitter<String> deadLetters;
    private final ObjectMapper mapper;

    public AlertConsumer(AlertIntake intake, EscalationMetrics metrics,
            @Channel("alerts-dead-letters") MutinyEmitter<String> deadLetters, ObjectMapper mapper) {
        this.intake = intake;
        this.metrics = metrics;
        this.deadLetters = deadLetters;
        this.mapper = mapper;
    }

    @Incoming("alerts")
    public Uni<Void> consume(KafkaRecordBatch<String, AlertReceived> batch) {
        List<KafkaRecord<String, AlertReceived>> records = batch.getRecords();
        List<AlertReceived> readable = new ArrayList<>(records.size());
        Uni<Void> unreadable = Uni.createFrom().voidItem();
        for (KafkaRecord<String, AlertReceived> record : records) {
            if (record.getPayload() == null) {
                unreadable = unreadable.call(() -> deadLetter(record, "the record is not an AlertReceived"));
            } else {
                readable.add(record.getPayload());
            }
        }
        return unreadable.chain(() -> intake.applyAll(readable))
                .onFailure().recoverWithUni(failure -> {
                    LOG.infof("a batch of %d alerts failed as a whole (%s); applying them one by one", readable.size(),
                            failure.toString());
                    return oneByOne(records);
                })
                .chain(() -> Uni.createFrom().completionStage(batch.ack()));
    }

    private Uni<Void> oneByOne(List<KafkaRecord<String, AlertReceived>> records) {
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (KafkaRecord<String, AlertReceived> record : records) {
            AlertReceived alert = record.getPayload();
            if (alert == null) {
                continue;
            }
            chain = chain.call(() -> intake.apply(alert)
                    .onFailure(failure -> !Failures.isPoison(failure))
                    .invoke(failure -> LOG.warnf("applying alert %s failed, retrying: %s", alert.eventId(), failure))
                    .onFailure(failure -> !Failures.isPoison(failure))
                    .retry().withBackOff(Failures.FIRST_BACKOFF, Failures.MAX_BACKOFF).indefinitely()
                    .onFailure().recoverWithUni(poison -> deadLetter(record, poison.toString())));
        }
        return chain;
    }

    /** Sends the record, as it came, to {@code tocsin.alerts.dlq.v1} with the reason in a header. */
    private Uni<Void> deadLetter(KafkaRecord<String, AlertReceived> record, String reason) {
        metrics.deadLettered("alerts");
        long offset = record.getMetadata(IncomingKafkaRecordMetadata.class).map(IncomingKafkaRecordMetadata::getOffset)
                .orElse(-1L);
        LOG.warnf("alert record %s-%d@%d goes to the dead-letter topic: %s", record.getTopic(), record.getPartition(),
                offset, reason);
        String value;
        if (record.getPayload() != null) {
            try {
                value = mapper.writeValueAsString(record.getPayload());
            } catch (JsonProcessingException e) {
                value = String.valueOf(record.getPayload());
            }
        } else {
            Header raw = record.getHeaders().lastHeader(FAILURE_DATA);
            value = raw == null || raw.value() == null ? null : new String(raw.value(), StandardCharsets.UTF_8);
        }
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String> builder()
                .withKey(record.getKey())
                .withHeaders(new org.apache.kafka.common.header.internals.RecordHeaders()
                        .add("dead-letter-reason", reason.getBytes(StandardCharsets.UTF_8))
                        .add("dead-letter-topic", record.getTopic().getBytes(StandardCharsets.UTF_8))
                        .add("dead-letter-partition", Integer.toString(record.getPartition())
                                .getBytes(StandardCharsets.UTF_8))
                        .add("dead-letter-offset", Long.toString(offset).getBytes(StandardCharsets.UTF_8)))
                .build();
        return deadLetters.sendMessage(Message.of(value == null ? "" : value).addMetadata(metadata));
    }
}
