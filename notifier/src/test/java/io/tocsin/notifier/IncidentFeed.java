package io.tocsin.notifier;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
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
import io.tocsin.events.NotificationRequested;
import io.tocsin.events.NotificationTarget;
import io.tocsin.events.Priority;
import io.tocsin.events.Topics;

/** Writes incident events to {@code tocsin.incidents.v1} as escalation's outbox relay does. */
public final class IncidentFeed {

    public static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private static final java.util.Map<String, IncidentFeed> FEEDS = new java.util.concurrent.ConcurrentHashMap<>();

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
            try {
                String json = MAPPER.writerFor(IncidentEvent.class).writeValueAsString(event);
                producer.send(new ProducerRecord<>(Topics.INCIDENTS, event.incidentId().toString(), json))
                        .get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("could not write to " + Topics.INCIDENTS, e);
            }
        }
    }

    /** The three events escalation writes when an incident opens and its first level pages {@code target}. */
    public static IncidentEvent[] opened(UUID incident, Priority priority, String title, Map<String, String> labels,
            Map<String, String> annotations, NotificationTarget target) {
        Instant now = TestClock.CLOCK.instant();
        return new IncidentEvent[] {
                new IncidentOpened(UUID.randomUUID(), incident, now, "alertname=" + labels.get("alertname"), title,
                        labels.get("service"), priority, Map.of("alertname", labels.getOrDefault("alertname", "x"))),
                new AlertAttached(UUID.randomUUID(), incident, now, UUID.randomUUID().toString(), labels,
                        annotations, now, "http://prometheus.example.com/graph?g0.expr=up", priority),
                page(incident, priority, title, target, 0) };
    }

    /** A notification.requested for {@code target}. */
    public static NotificationRequested page(UUID incident, Priority priority, String title,
            NotificationTarget target, int level) {
        return new NotificationRequested(UUID.randomUUID(), incident, TestClock.CLOCK.instant(), target, "default",
                level, 0, priority, title);
    }

    public static NotificationTarget slack(String address) {
        return new NotificationTarget(NotificationTarget.Channel.SLACK, address);
    }
}
