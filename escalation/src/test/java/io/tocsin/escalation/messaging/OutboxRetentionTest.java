package io.tocsin.escalation.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.tocsin.escalation.TestClock;
import io.tocsin.outbox.OutboxRetention;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;

/** Old published outbox rows and processed-message marks are purged; unpublished rows and recent marks stay. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class OutboxRetentionTest {

    @Inject
    OutboxRetention retention;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @Test
    void onlyWhatIsPastItsRetentionGoes() throws Throwable {
        Instant now = TestClock.CLOCK.instant();
        String oldPublished = UUID.randomUUID().toString();
        String oldUnpublished = UUID.randomUUID().toString();
        String recentPublished = UUID.randomUUID().toString();
        try (Connection db = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            outbox(db, oldPublished, now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(10)));
            outbox(db, oldUnpublished, now.minus(Duration.ofDays(10)), null);
            outbox(db, recentPublished, now.minus(Duration.ofHours(1)), now.minus(Duration.ofHours(1)));
            mark(db, "retention-old-" + oldPublished, now.minus(Duration.ofDays(20)));
            mark(db, "retention-recent-" + oldPublished, now.minus(Duration.ofDays(2)));

            VertxContextSupport.subscribeAndAwait(() -> retention.purge());

            assertThat(count(db, "SELECT count(*) FROM outbox WHERE event_id::text IN (?, ?, ?)", oldPublished,
                    oldUnpublished, recentPublished)).as("the old unpublished row and the recent one stay").isEqualTo(2);
            assertThat(count(db, "SELECT count(*) FROM outbox WHERE event_id::text = ?", oldPublished)).isZero();
            assertThat(count(db, "SELECT count(*) FROM processed_message WHERE message_id IN (?, ?)",
                    "retention-old-" + oldPublished, "retention-recent-" + oldPublished)).isEqualTo(1);
            assertThat(count(db, "SELECT count(*) FROM processed_message WHERE message_id = ?",
                    "retention-recent-" + oldPublished)).isEqualTo(1);
        }
    }

    private static void outbox(Connection db, String eventId, Instant created, Instant published) throws SQLException {
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO outbox (event_id, topic, message_key, "
                + "payload, created_at, published_at) VALUES (?::uuid, 'tocsin.retention.test', 'k', '{}', ?, ?)")) {
            insert.setString(1, eventId);
            insert.setTimestamp(2, Timestamp.from(created));
            insert.setTimestamp(3, published == null ? null : Timestamp.from(published));
            insert.executeUpdate();
        }
    }

    private static void mark(Connection db, String id, Instant processed) throws SQLException {
        try (PreparedStatement insert = db.prepareStatement(
                "INSERT INTO processed_message (message_id, processed_at) VALUES (?, ?)")) {
            insert.setString(1, id);
            insert.setTimestamp(2, Timestamp.from(processed));
            insert.executeUpdate();
        }
    }

    private static long count(Connection db, String sql, String... args) throws SQLException {
        try (PreparedStatement query = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                query.setString(i + 1, args[i]);
            }
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
