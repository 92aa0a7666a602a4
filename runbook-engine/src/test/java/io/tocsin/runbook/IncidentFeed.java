package io.tocsin.runbook;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import io.tocsin.events.AlertAttached;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.IncidentOpened;
import io.tocsin.events.Priority;
import io.tocsin.events.RunbookCommand;
import io.tocsin.events.Topics;

/** Writes incident events and runbook commands as escalation's outbox relay and the notifier do. */
public final class IncidentFeed {

    public static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private static final Map<String, IncidentFeed> FEEDS = new ConcurrentHashMap<>();

    private final KafkaProducer<String, String> producer;

    /** The feed to the broker at {@code bootstrapServers}, opened once and shared by every test of the run. */
    public static IncidentFeed to(String bootstrapServers) {
        return FEEDS.computeIfAbsent(bootstrapServers, IncidentFeed::new);
    }

    private IncidentFeed(String bootstrapServers) {
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
    }

    /** Sends events in order and waits for the broker's acknowledgement of each. */
    public void send(IncidentEvent... events) {
        for (IncidentEvent event : events) {
            write(Topics.INCIDENTS, event.incidentId().toString(), event);
        }
    }

    public void command(RunbookCommand command) {
        write(Topics.RUNBOOK_COMMANDS, command.incidentId().toString(), command);
    }

    private void write(String topic, String key, Object value) {
        try {
            String json = value instanceof IncidentEvent ? MAPPER.writerFor(IncidentEvent.class).writeValueAsString(value)
                    : MAPPER.writeValueAsString(value);
            producer.send(new ProducerRecord<>(topic, key, json)).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("could not write to " + topic, e);
        }
    }

    /** The two events escalation writes when an incident opens with its first alert. */
    public static IncidentEvent[] opened(UUID incident, Priority priority, Map<String, String> labels) {
        Instant now = TestClock.CLOCK.instant();
        return new IncidentEvent[] {
                new IncidentOpened(UUID.randomUUID(), incident, now, "alertname=" + labels.get("alertname"),
                        labels.getOrDefault("alertname", "Test") + " is firing", labels.get("service"), priority,
                        Map.of("alertname", labels.getOrDefault("alertname", "x"))),
                new AlertAttached(UUID.randomUUID(), incident, now, UUID.randomUUID().toString(), labels,
                        Map.of("summary", "it is broken"), now, null, priority) };
    }
}
