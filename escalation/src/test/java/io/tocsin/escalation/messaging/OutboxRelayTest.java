package io.tocsin.escalation.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.apache.kafka.common.utils.Utils;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tocsin.events.Topics;
import io.tocsin.outbox.OutboxRelay;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;
import io.tocsin.testsupport.TopicWatcher;

/**
 * The state a crash leaves when the process dies after the transaction committed but before the event was sent: an
 * unpublished outbox row. The relay must publish it, once, and mark it.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class OutboxRelayTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @Test
    void aRowCommittedBeforeACrashIsPublishedOnceAndMarked() throws SQLException {
        UUID eventId = UUID.randomUUID();
        UUID incidentId = UUID.randomUUID();
        String payload = "{\"type\":\"incident.resolved\",\"eventId\":\"" + eventId + "\",\"incidentId\":\"" + incidentId
                + "\",\"occurredAt\":\"2026-11-22T03:00:00Z\",\"actor\":\"tocsin\",\"reason\":\"left behind\"}";

        try (TopicWatcher watcher = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.INCIDENTS, 3)) {
            try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
                    PreparedStatement insert = connection.prepareStatement("INSERT INTO outbox "
                            + "(event_id, topic, message_key, payload, created_at) VALUES (?, ?, ?, ?, ?)")) {
                insert.setObject(1, eventId);
                insert.setString(2, Topics.INCIDENTS);
                insert.setString(3, incidentId.toString());
                insert.setString(4, payload);
                insert.setTimestamp(5, Timestamp.from(Instant.now()));
                insert.executeUpdate();
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> watcher.poll(Duration.ofMillis(100)).stream()
                    .anyMatch(record -> record.value().contains(eventId.toString())));
            await().atMost(Duration.ofSeconds(10)).until(() -> publishedAt(eventId) != null);
            // Two more relay ticks must not send it again.
            await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> true);
            assertThat(watcher.poll(Duration.ofMillis(200)))
                    .filteredOn(record -> record.value().contains(eventId.toString()))
                    .singleElement()
                    .satisfies(record -> assertThat(record.key()).isEqualTo(incidentId.toString()));
        }
    }

    @Test
    void onlyOneRelayOfTheServicePublishesAtATimeSoOneIncidentsEventsKeepTheirOrder() throws SQLException {
        UUID eventId = UUID.randomUUID();
        try (Connection other = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            // Another instance's relay is mid-batch: it holds the service's relay lock.
            try (PreparedStatement lock = other.prepareStatement("SELECT pg_advisory_lock(?)")) {
                lock.setLong(1, OutboxRelay.lockKey("escalation"));
                lock.execute();
            }
            insertUnpublished(eventId);
            await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(5)).until(() -> true);
            assertThat(publishedAt(eventId)).as("not published while the other relay holds the lock").isNull();

            try (PreparedStatement unlock = other.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                unlock.setLong(1, OutboxRelay.lockKey("escalation"));
                unlock.execute();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> publishedAt(eventId) != null);
        }
    }

    @Test
    void anUrgentIncidentsRowsOvertakeAnOlderBacklogAndEachKeysRowsKeepTheirOrder() throws SQLException {
        // Two keys on one partition, so that the topic's order shows the relay's.
        UUID backlog = UUID.randomUUID();
        UUID urgent = UUID.randomUUID();
        while (partition(urgent) != partition(backlog)) {
            urgent = UUID.randomUUID();
        }
        List<UUID> backlogEvents = new ArrayList<>();
        List<UUID> urgentEvents = List.of(UUID.randomUUID(), UUID.randomUUID());
        try (TopicWatcher watcher = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.INCIDENTS, 3);
                Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            connection.setAutoCommit(false); // one commit: the relay sees all the rows at once
            try (PreparedStatement incident = connection.prepareStatement("INSERT INTO incident (id, group_key, "
                    + "group_labels, title, state, priority, opened_at, last_alert_at) VALUES (?, ?, '{}', 'urgent', "
                    + "'open', 'P0', now(), now())")) {
                incident.setObject(1, urgent);
                incident.setString(2, "urgent-" + urgent);
                incident.executeUpdate();
            }
            for (int i = 0; i < 600; i++) { // more than one relay round
                UUID event = UUID.randomUUID();
                backlogEvents.add(event);
                insertUnpublished(connection, event, backlog);
            }
            for (UUID event : urgentEvents) {
                insertUnpublished(connection, event, urgent);
            }
            connection.commit();

            List<UUID> all = new ArrayList<>(backlogEvents);
            all.addAll(urgentEvents);
            List<String> order = await().atMost(Duration.ofSeconds(30)).until(() -> {
                watcher.poll(Duration.ofMillis(100));
                return watcher.seen().stream().map(record -> record.value())
                        .filter(value -> all.stream().anyMatch(id -> value.contains(id.toString()))).toList();
            }, seen -> seen.size() == all.size());
            assertThat(order.get(0)).contains(urgentEvents.get(0).toString());
            assertThat(order.get(1)).contains(urgentEvents.get(1).toString());
            assertThat(order.subList(2, order.size())).as("the backlog, in its order")
                    .zipSatisfy(backlogEvents, (value, id) -> assertThat(value).contains(id.toString()));
        }
    }

    private static int partition(UUID key) {
        return Utils.toPositive(Utils.murmur2(key.toString().getBytes(StandardCharsets.UTF_8))) % 3;
    }

    private static void insertUnpublished(Connection connection, UUID eventId, UUID incidentId) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO outbox "
                + "(event_id, topic, message_key, payload, created_at) VALUES (?, ?, ?, ?, ?)")) {
            insert.setObject(1, eventId);
            insert.setString(2, Topics.INCIDENTS);
            insert.setString(3, incidentId.toString());
            insert.setString(4, "{\"type\":\"note.added\",\"eventId\":\"" + eventId + "\",\"incidentId\":\""
                    + incidentId + "\",\"occurredAt\":\"2026-11-22T03:00:00Z\",\"actor\":\"api:t\",\"text\":\"x\"}");
            insert.setTimestamp(5, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        }
    }

    private void insertUnpublished(UUID eventId) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            insertUnpublished(connection, eventId, UUID.randomUUID());
        }
    }

    private Timestamp publishedAt(UUID eventId) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
                PreparedStatement query = connection.prepareStatement(
                        "SELECT published_at FROM outbox WHERE event_id = ?")) {
            query.setObject(1, eventId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getTimestamp(1) : null;
            }
        }
    }
}
