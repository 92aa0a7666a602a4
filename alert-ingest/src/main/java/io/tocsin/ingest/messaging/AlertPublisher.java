package io.tocsin.ingest.messaging;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Emitter;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaProducer;
import io.tocsin.events.AlertReceived;
import io.tocsin.ingest.config.IngestConfig;
import io.tocsin.ingest.metrics.IngestMetrics;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Writes alerts to {@code tocsin.alerts.v1} and completes only when the broker has acknowledged every one of them
 * ({@code acks=all}, idempotent producer), so a 2xx to the sender means the alerts are durable.
 * <p>
 * It uses the producer SmallRye creates for the {@code alerts} channel (configured under
 * {@code mp.messaging.outgoing.alerts}), but hands it whole requests rather than one message at a time: the
 * per-message emitter machinery ran on Kafka's single sender thread and capped ingest throughput (ADR 0005). Records
 * are serialized on the calling event loop; one task per request goes to the producer's sending thread.
 */
@ApplicationScoped
public class AlertPublisher {

    private final KafkaClientService kafka;
    private final ObjectWriter writer;
    private final IngestMetrics metrics;
    private final Duration timeout;
    private final String topic;
    private volatile KafkaProducer<String, byte[]> producer;

    /**
     * @param channel declares the outgoing {@code alerts} channel so that SmallRye creates and configures its producer;
     *        records are not sent through it
     */
    public AlertPublisher(@Channel("alerts") Emitter<byte[]> channel, KafkaClientService kafka, ObjectMapper mapper,
            IngestMetrics metrics, IngestConfig config,
            @ConfigProperty(name = "mp.messaging.outgoing.alerts.topic") String topic) {
        this.kafka = kafka;
        this.writer = mapper.writerFor(AlertReceived.class);
        this.metrics = metrics;
        this.timeout = config.publishTimeout();
        this.topic = topic;
    }

    /**
     * Publishes the events, each keyed by {@link AlertReceived#partitionKey()}.
     *
     * @return a Uni that completes when all are acknowledged, or fails with {@link BrokerUnavailableException} when any
     *         is refused or the broker does not answer within the publish timeout
     */
    public Uni<Void> publish(List<AlertReceived> events) {
        long start = System.nanoTime();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(events.size());
        for (AlertReceived event : events) {
            records.add(new ProducerRecord<>(topic, event.partitionKey(), serialize(event)));
        }
        Context context = Vertx.currentContext();
        return Uni.createFrom().<Void> emitter(emitter -> {
            Acknowledgements acks = new Acknowledgements(records.size(), emitter, context);
            producer().runOnSendingThread(kafkaProducer -> {
                for (ProducerRecord<String, byte[]> record : records) {
                    kafkaProducer.send(record, acks);
                }
            }).subscribe().with(ignored -> {
            }, acks::fail);
        })
                .ifNoItem().after(timeout)
                .failWith(() -> new BrokerUnavailableException("Kafka did not acknowledge within " + timeout.toMillis()
                        + " ms"))
                .onFailure(failure -> !(failure instanceof BrokerUnavailableException))
                .transform(failure -> new BrokerUnavailableException("Kafka refused the records: " + failure.getMessage(),
                        failure))
                .onItemOrFailure().invoke((ignored, failure) -> metrics.brokerAck(
                        Duration.ofNanos(System.nanoTime() - start), failure == null));
    }

    private byte[] serialize(AlertReceived event) {
        try {
            return writer.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an AlertReceived always serializes", e);
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        KafkaProducer<String, byte[]> current = producer;
        if (current == null) {
            current = kafka.getProducer("alerts");
            producer = current;
        }
        return current;
    }

    /** Counts a request's acknowledgements down; completes once all arrived, fails on the first error. */
    private static final class Acknowledgements implements Callback {
        private final AtomicInteger outstanding;
        private final AtomicBoolean done = new AtomicBoolean();
        private final UniEmitter<? super Void> emitter;
        private final Context context;

        Acknowledgements(int count, UniEmitter<? super Void> emitter, Context context) {
            this.outstanding = new AtomicInteger(count);
            this.emitter = emitter;
            this.context = context;
        }

        @Override
        public void onCompletion(RecordMetadata metadata, Exception exception) {
            if (exception != null) {
                fail(exception);
            } else if (outstanding.decrementAndGet() == 0 && done.compareAndSet(false, true)) {
                onContext(() -> emitter.complete(null));
            }
        }

        void fail(Throwable failure) {
            if (done.compareAndSet(false, true)) {
                onContext(() -> emitter.fail(failure));
            }
        }

        /** Answers on the request's event loop, not on Kafka's sender thread, which must stay free for I/O. */
        private void onContext(Runnable action) {
            if (context != null) {
                context.runOnContext(ignored -> action.run());
            } else {
                action.run();
            }
        }
    }
}
