package io.tocsin.ingest.messaging;

import java.time.Duration;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;

import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.tocsin.events.AlertReceived;
import io.tocsin.ingest.config.IngestConfig;
import io.tocsin.ingest.metrics.IngestMetrics;

/**
 * Writes alerts to {@code tocsin.alerts.v1} and completes only when the broker has acknowledged every one of them
 * ({@code acks=all}, idempotent producer), so a 2xx to the sender means the alerts are durable.
 */
@ApplicationScoped
public class AlertPublisher {

    private final MutinyEmitter<AlertReceived> emitter;
    private final IngestMetrics metrics;
    private final Duration timeout;

    public AlertPublisher(
            @Channel("alerts") @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 8192) MutinyEmitter<AlertReceived> emitter,
            IngestMetrics metrics, IngestConfig config) {
        this.emitter = emitter;
        this.metrics = metrics;
        this.timeout = config.publishTimeout();
    }

    /**
     * Publishes the events, each keyed by {@link AlertReceived#partitionKey()}.
     *
     * @return a Uni that completes when all are acknowledged, or fails with {@link BrokerUnavailableException} when any
     *         is refused or the broker does not answer within the publish timeout
     */
    public Uni<Void> publish(List<AlertReceived> events) {
        long start = System.nanoTime();
        List<Uni<Void>> sends = events.stream().map(this::send).toList();
        return Uni.join().all(sends).andFailFast()
                .ifNoItem().after(timeout)
                .failWith(() -> new BrokerUnavailableException("Kafka did not acknowledge within " + timeout.toMillis()
                        + " ms"))
                .onFailure(failure -> !(failure instanceof BrokerUnavailableException))
                .transform(failure -> new BrokerUnavailableException("Kafka refused the records: " + failure.getMessage(),
                        failure))
                .onItemOrFailure().invoke((ignored, failure) -> metrics.brokerAck(
                        Duration.ofNanos(System.nanoTime() - start), failure == null))
                .replaceWithVoid();
    }

    private Uni<Void> send(AlertReceived event) {
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String> builder()
                .withKey(event.partitionKey())
                .build();
        return Uni.createFrom().deferred(() -> emitter.sendMessage(Message.of(event).addMetadata(metadata)));
    }
}
