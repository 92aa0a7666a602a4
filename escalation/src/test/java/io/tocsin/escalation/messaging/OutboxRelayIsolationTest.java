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
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tocsin.escalation.TestClock;
import io.tocsin.events.Topics;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;
import io.tocsin.testsupport.TopicWatcher;

/**
 * One outbox row Kafka can never take (over the producer's max.request.size) holds back only the rows of its own
 * incident, and only until it is parked; every other incident's rows are published meanwhile. A row that fails
 * because the broker is away is never parked.
 */
@QuarkusTest
@TestProfile(OutboxRelayIsolationTest.Profile.class)
@WithTestResource(value = KafkaTestResource.class, initArgs = @ResourceArg(name = KafkaTestResource.DEDICATED, value = "true"))
@WithTestResource(PostgresTestResource.class)
class OutboxRelayIsolationTest {

    /** Few attempts, and sends that give up within seconds when the broker is away. */
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tocsin.outbox.max-attempts", "3",
                    "tocsin.outbox.retry-backoff", "1s",
                    "mp.messaging.outgoing.outbox.request.timeout.ms", "1000",
                    "mp.messaging.outgoing.outbox.delivery.timeout.ms", "2000",
                    "mp.messaging.outgoing.outbox.max.block.ms", "2000");
        }
    }

    private static final String TOO_LARGE = "x".repeat(1_200_000);

    @InjectKafkaBroker
    KafkaBroker broker;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @Inject
    MeterRegistry registry;

    @Test
    void aRowKafkaRefusesHoldsBackOnlyItsIncidentAndOnlyUntilItIsParked() throws SQLException {
        String a = UUID.randomUUID().toString();
        String b = UUID.randomUUID().toString();
        UUID bad = UUID.randomUUID();
        UUID afterBad = UUID.randomUUID();
        UUID b1 = UUID.randomUUID();
        UUID b2 = UUID.randomUUID();
        double parkedBefore = parkedTotal();

        try (TopicWatcher watcher = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.INCIDENTS, 3)) {
            // One transaction, so the relay finds all four in one batch, the bad one first.
            insert(List.of(new Row(bad, a, "{\"eventId\":\"" + bad + "\",\"pad\":\"" + TOO_LARGE + "\"}"),
                    new Row(afterBad, a, note(afterBad)), new Row(b1, b, note(b1)), new Row(b2, b, note(b2))));

            await().atMost(Duration.ofSeconds(30)).until(() -> published(b1) && published(b2));
            assertThat(attempts(bad)).as("refused at least once").isGreaterThanOrEqualTo(1);
            assertThat(published(afterBad)).as("waits behind the refused row of its incident").isFalse();
            assertThat(seen(watcher, afterBad)).isFalse();

            // The refused row is due again only as the (test) clock moves on.
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                TestClock.CLOCK.advance(Duration.ofSeconds(5));
                return parked(bad);
            });
            assertThat(attempts(bad)).isEqualTo(3);
            assertThat(lastError(bad)).contains("RecordTooLargeException").doesNotContain("xxxxxxxx");
            assertThat(parkedTotal()).isEqualTo(parkedBefore + 1);

            await().atMost(Duration.ofSeconds(30)).until(() -> published(afterBad));
            await().atMost(Duration.ofSeconds(10)).until(() -> seen(watcher, afterBad));
            assertThat(published(bad)).isFalse();
            assertThat(watcher.seen()).filteredOn(record -> record.value().contains(bad.toString())).isEmpty();
            List<String> order = watcher.seen().stream().map(ConsumerRecord::value)
                    .filter(value -> value.contains(b1.toString()) || value.contains(b2.toString()))
                    .toList();
            assertThat(order).hasSize(2);
            assertThat(order.get(0)).as("one incident's events in order").contains(b1.toString());
        }
    }

    @Test
    void aRowThatFailsWhileTheBrokerIsAwayIsNeverParked() throws SQLException {
        UUID eventId = UUID.randomUUID();
        broker.stop();
        try {
            insert(List.of(new Row(eventId, UUID.randomUUID().toString(), note(eventId))));
            // Several failed sends (each gives up after 2 s), each time the relay tries again.
            await().atMost(Duration.ofSeconds(40)).until(() -> lastError(eventId) != null);
            await().pollDelay(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(10)).until(() -> true);
            assertThat(attempts(eventId)).isZero();
            assertThat(parked(eventId)).isFalse();
        } finally {
            broker.restart();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> published(eventId));
        assertThat(parked(eventId)).isFalse();
    }

    private record Row(UUID eventId, String key, String payload) {
    }

    private static String note(UUID eventId) {
        return "{\"type\":\"note.added\",\"eventId\":\"" + eventId + "\",\"incidentId\":\"" + UUID.randomUUID()
                + "\",\"occurredAt\":\"2026-11-22T03:00:00Z\",\"actor\":\"api:t\",\"text\":\"x\"}";
    }

    private double parkedTotal() {
        var counter = registry.find("tocsin.outbox.parked").tag("service", "escalation").counter();
        return counter == null ? 0 : counter.count();
    }

    private boolean seen(TopicWatcher watcher, UUID eventId) {
        return watcher.poll(Duration.ofMillis(100)).stream().anyMatch(record -> record.value().contains(eventId.toString()));
    }

    private void insert(List<Row> rows) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO outbox "
                    + "(event_id, topic, message_key, payload, created_at) VALUES (?, ?, ?, ?, ?)")) {
                for (Row row : rows) {
                    insert.setObject(1, row.eventId());
                    insert.setString(2, Topics.INCIDENTS);
                    insert.setString(3, row.key());
                    insert.setString(4, row.payload());
                    insert.setTimestamp(5, Timestamp.from(Instant.now()));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            connection.commit();
        }
    }

    private boolean published(UUID eventId) throws SQLException {
        return column(eventId, "published_at") != null;
    }

    private boolean parked(UUID eventId) throws SQLException {
        return column(eventId, "parked_at") != null;
    }

    private int attempts(UUID eventId) throws SQLException {
        return ((Number) column(eventId, "attempts")).intValue();
    }

    private String lastError(UUID eventId) throws SQLException {
        return (String) column(eventId, "last_error");
    }

    private Object column(UUID eventId, String column) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
                PreparedStatement query = connection.prepareStatement(
                        "SELECT " + column + " FROM outbox WHERE event_id = ?")) {
            query.setObject(1, eventId);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getObject(1);
            }
        }
    }
}
