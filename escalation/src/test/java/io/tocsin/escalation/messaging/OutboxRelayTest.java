package io.tocsin.escalation.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

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

    private void insertUnpublished(UUID eventId) throws SQLException {
        UUID incidentId = UUID.randomUUID();
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
                PreparedStatement insert = connection.prepareStatement("INSERT INTO outbox "
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
