package io.tocsin.escalation;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.tocsin.events.AlertOrigin;
import io.tocsin.events.AlertReceived;
import io.tocsin.events.AlertStatus;
import io.tocsin.events.IncidentCommand;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.NotificationOutcome;
import io.tocsin.events.RunbookEvent;
import io.tocsin.events.Topics;

/**
 * What escalation's tests feed it: alerts as alert-ingest writes them, commands and outcomes as the notifier writes
 * them, runbook events as the runbook engine writes them.
 */
public final class AlertFeed implements AutoCloseable {

    public static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final KafkaProducer<String, String> producer;

    public AlertFeed(String bootstrapServers) {
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
    }

    /** A firing alert with these labels and a summary, starting now by the test clock. */
    public static AlertReceived firing(Map<String, String> labels, String summary) {
        return new AlertReceived(UUID.randomUUID(), Instant.now(), "test", AlertOrigin.GENERIC,
                UUID.randomUUID().toString(), AlertStatus.FIRING, labels, Map.of("summary", summary),
                TestClock.CLOCK.instant(), null, null, null);
    }

    /** Writes the alert, keyed as alert-ingest keys it, and waits for the broker's acknowledgement. */
    public void send(AlertReceived alert) {
        sendRaw(alert.partitionKey(), json(alert));
    }

    /** Writes any value, readable or not. */
    public void sendRaw(String key, String value) {
        try {
            producer.send(new ProducerRecord<>(Topics.ALERTS, key, value)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not write to " + Topics.ALERTS, e);
        }
    }

    /** Writes the values under one key (so to one partition, in order) at once, then waits for them all. */
    public void sendAllRaw(String key, List<String> values) {
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (String value : values) {
                sent.add(producer.send(new ProducerRecord<>(Topics.ALERTS, key, value)));
            }
            for (Future<?> one : sent) {
                one.get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not write to " + Topics.ALERTS, e);
        }
    }

    /** Writes a command to {@code tocsin.commands.v1}, keyed by its incident, as the notifier does. */
    public void command(IncidentCommand command) {
        try {
            producer.send(new ProducerRecord<>(Topics.COMMANDS, command.incidentId().toString(),
                    MAPPER.writeValueAsString(command))).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not write to " + Topics.COMMANDS, e);
        }
    }

    /** Writes a delivery outcome to {@code tocsin.notifications.v1}, keyed by its incident, as the notifier does. */
    public void outcome(NotificationOutcome outcome) {
        try {
            producer.send(new ProducerRecord<>(Topics.NOTIFICATIONS, outcome.incidentId().toString(),
                    MAPPER.writeValueAsString(outcome))).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not write to " + Topics.NOTIFICATIONS, e);
        }
    }

    /** Writes a runbook event to {@code tocsin.runbooks.v1}, keyed by its incident, as the runbook engine does. */
    public void runbook(RunbookEvent event) {
        try {
            runbookRaw(event.incidentId().toString(), MAPPER.writeValueAsString(event));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes any value to {@code tocsin.runbooks.v1}, readable or not. */
    public void runbookRaw(String key, String value) {
        try {
            producer.send(new ProducerRecord<>(Topics.RUNBOOKS, key, value)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not write to " + Topics.RUNBOOKS, e);
        }
    }

    /** Reads an incident event from its JSON. */
    public static IncidentEvent event(String json) {
        try {
            return MAPPER.readValue(json, IncidentEvent.class);
        } catch (Exception e) {
            throw new IllegalStateException("not an incident event: " + json, e);
        }
    }

    private static String json(AlertReceived alert) {
        try {
            return MAPPER.writeValueAsString(alert);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        producer.close();
    }
}
