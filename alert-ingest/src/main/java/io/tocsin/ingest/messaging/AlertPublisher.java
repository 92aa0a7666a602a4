package io.tocsin.ingest.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
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

    private static final Header[] NO_HEADERS = new Header[0];

    private final KafkaClientService kafka;
    private final ObjectWriter writer;
    private final IngestMetrics metrics;
    private final Duration timeout;
    private final String topic;
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile int maxRecordSize;

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
     * @return a Uni that completes when all are acknowledged; fails with {@link RecordsTooLargeException}, before
     *         anything is sent, when a record is larger than the producer may send (or the broker refuses one as too
     *         large), and with {@link BrokerUnavailableException} when any is refused otherwise or the broker does not
     *         answer within the publish timeout
     */
    public Uni<Void> publish(List<AlertReceived> events) {
        long start = System.nanoTime();
        int limit = maxRecordSize();
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(events.size());
        List<RecordsTooLargeException.TooLarge> tooLarge = null;
        for (int i = 0; i < events.size(); i++) {
            AlertReceived event = events.get(i);
            ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, event.partitionKey(), serialize(event));
            int size = sizeIfOver(record, limit);
            if (size > 0) {
                tooLarge = tooLarge == null ? new ArrayList<>() : tooLarge;
                tooLarge.add(new RecordsTooLargeException.TooLarge(i, size));
            }
            records.add(record);
        }
        if (tooLarge != null) {
            return Uni.createFrom().failure(new RecordsTooLargeException(tooLarge, limit, tooLarge.size()
                    + " records larger than max.request.size " + limit));
        }
        Context context = Vertx.currentContext();
        return Uni.createFrom().<Void> emitter(emitter -> {
            Acknowledgements acks = new Acknowledgements(records.size(), emitter, context, limit);
            List<Callback> callbacks = new ArrayList<>(records.size());
            for (int i = 0; i < records.size(); i++) {
                callbacks.add(acks.forRecord(i));
            }
            producer().runOnSendingThread(kafkaProducer -> {
                for (int i = 0; i < records.size(); i++) {
                    kafkaProducer.send(records.get(i), callbacks.get(i));
                }
            }).subscribe().with(ignored -> {
            }, acks::fail);
        })
                .ifNoItem().after(timeout)
                .failWith(() -> new BrokerUnavailableException("Kafka did not acknowledge within " + timeout.toMillis()
                        + " ms"))
                .onFailure(failure -> !(failure instanceof BrokerUnavailableException
                        || failure instanceof RecordsTooLargeException))
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

    /**
     * The record's size as the producer counts it when that is over {@code limit}, else 0. The producer refuses a record
     * whose uncompressed size bound is over {@code max.request.size} (compression cannot save it): the same bound,
     * computed the same way, is checked here before anything of the request is sent.
     */
    private static int sizeIfOver(ProducerRecord<String, byte[]> record, int limit) {
        String key = record.key();
        // Cheap first: a record well under the limit needs no exact count (a UTF-16 char is at most 3 UTF-8 bytes).
        if ((long) record.value().length + 3L * key.length() + 1024 < limit) {
            return 0;
        }
        int size = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                key.getBytes(StandardCharsets.UTF_8), record.value(), NO_HEADERS);
        return size > limit ? size : 0;
    }

    /** The largest record the alerts producer sends: its {@code max.request.size}, or its buffer if smaller. */
    private int maxRecordSize() {
        int current = maxRecordSize;
        if (current == 0) {
            Map<String, ?> configuration = producer().configuration();
            long requestSize = setting(configuration, ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
            long bufferMemory = setting(configuration, ProducerConfig.BUFFER_MEMORY_CONFIG);
            current = (int) Math.min(Integer.MAX_VALUE, Math.min(requestSize, bufferMemory));
            maxRecordSize = current;
        }
        return current;
    }

    private static long setting(Map<String, ?> configuration, String name) {
        Object value = configuration.get(name);
        if (value == null) {
            value = ProducerConfig.configDef().defaultValues().get(name);
        }
        return value instanceof Number number ? number.longValue() : Long.parseLong(value.toString().trim());
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
    private static final class Acknowledgements {
        private final AtomicInteger outstanding;
        private final AtomicBoolean done = new AtomicBoolean();
        private final UniEmitter<? super Void> emitter;
        private final Context context;
        private final int limit;

        Acknowledgements(int count, UniEmitter<? super Void> emitter, Context context, int limit) {
            this.outstanding = new AtomicInteger(count);
            this.emitter = emitter;
            this.context = context;
            this.limit = limit;
        }

        /** The callback of the request's {@code index}th record, so a refusal can name its alert. */
        Callback forRecord(int index) {
            return (metadata, exception) -> onCompletion(index, exception);
        }

        private void onCompletion(int index, Exception exception) {
            if (exception instanceof RecordTooLargeException) {
                // The broker's own limit (message.max.bytes, or the topic's max.message.bytes) is below the producer's.
                fail(new RecordsTooLargeException(List.of(new RecordsTooLargeException.TooLarge(index, -1)), limit,
                        "the broker refused a record as too large: " + exception.getMessage()));
            } else if (exception != null) {
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
