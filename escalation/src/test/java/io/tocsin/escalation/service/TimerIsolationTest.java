package io.tocsin.escalation.service;

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
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.tocsin.escalation.AlertFeed;
import io.tocsin.escalation.TestClock;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;

/**
 * The timer loop under a timer that always throws, and under a priority mix: one incident's broken timer costs only
 * that incident, and P0 incidents' timers fire before P3 ones due earlier.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class TimerIsolationTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    @ConfigProperty(name = "tocsin.escalation.timer-attempts")
    int attempts;

    private AlertFeed feed;

    @BeforeEach
    void open() {
        feed = new AlertFeed(broker.bootstrapServers());
    }

    @AfterEach
    void close() {
        feed.close();
    }

    @Test
    void aTimerThatAlwaysThrowsIsGivenUpWhileOtherIncidentsKeepEscalating() throws SQLException {
        UUID broken = open("BrokenTimer", "critical", "broken timer");
        UUID healthy = open("HealthyTimer", "critical", "healthy timer");
        // A row firing cannot process: level -1 of a round the incident has not reached (its wait cannot be looked
        // up). Due before the healthy incident's second level, so it comes first by due time.
        long bad = insertTimer(broken, -1, 5, TestClock.CLOCK.instant().plusSeconds(60));

        TestClock.CLOCK.advance(Duration.ofMinutes(10)); // the healthy P1's second level is due
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                count("SELECT count(*) FROM timeline_entry WHERE incident_id = ?::uuid AND kind = 'incident.escalated'",
                        healthy))
                .as("the healthy incident escalated despite the broken timer").isEqualTo(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> timerAttempts(bad) == 1);
        assertThat(text("SELECT last_error FROM escalation_timer WHERE id = ?", bad))
                .contains("IndexOutOfBounds");
        assertThat(text("SELECT retry_at IS NOT NULL AND failed_at IS NULL FROM escalation_timer WHERE id = ?", bad))
                .isEqualTo("t");

        for (int attempt = 2; attempt <= attempts; attempt++) {
            TestClock.CLOCK.advance(TimerLoop.MAX_BACKOFF); // past the next try, however far backoff has grown
            int expected = attempt;
            await().atMost(Duration.ofSeconds(30)).until(() -> timerAttempts(bad) == expected);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                text("SELECT failed_at IS NOT NULL FROM escalation_timer WHERE id = ?", bad)).isEqualTo("t"));
        assertThat(text("SELECT summary FROM timeline_entry WHERE incident_id = ?::uuid AND kind = 'timer.failed'",
                broken)).contains("could not fire after " + attempts + " attempts").contains("IndexOutOfBounds");

        TestClock.CLOCK.advance(TimerLoop.MAX_BACKOFF.multipliedBy(2));
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(timerAttempts(bad)).as("a failed timer is not tried again").isEqualTo(attempts);
        assertThat(RestAssured.given().get("/q/metrics").then().statusCode(200).extract().asString())
                .containsPattern("tocsin_escalation_timers_failed_total\\{kind=\"level\"} [1-9]")
                .contains("tocsin_escalation_timers_overdue_seconds");
    }

    @Test
    void dueTimersOfMoreUrgentIncidentsFireFirst() throws SQLException {
        UUID minor = open("MinorOrder", "warning", "minor order"); // P3
        UUID urgent = open("UrgentOrder", "critical", "urgent order"); // P1
        Instant now = TestClock.CLOCK.instant();
        insertTimer(minor, 1, 0, now.plusSeconds(60)); // due first
        insertTimer(urgent, 1, 0, now.plusSeconds(120));

        TestClock.CLOCK.advance(Duration.ofMinutes(3)); // both due at once, in one round
        String escalated = "SELECT id FROM timeline_entry WHERE incident_id = ?::uuid AND kind = 'incident.escalated'";
        await().atMost(Duration.ofSeconds(30)).until(() -> count(escalated, minor) > 0 && count(escalated, urgent) > 0);
        assertThat(count(escalated, urgent)).as("the P1's level fired before the P3's, though due later")
                .isLessThan(count(escalated, minor));
    }

    @Test
    void anIncidentAnotherTransactionHoldsIsLeftForLaterWhileTheOthersEscalate() throws Exception {
        UUID held = open("HeldIncident", "critical", "held incident");
        UUID free = open("FreeIncident", "warning", "free incident");
        insertTimer(held, 1, 0, TestClock.CLOCK.instant().plusSeconds(30)); // first in the round: P1, due first
        insertTimer(free, 1, 0, TestClock.CLOCK.instant().plusSeconds(60));
        String escalated = "SELECT count(*) FROM timeline_entry WHERE incident_id = ?::uuid "
                + "AND kind = 'incident.escalated'";
        try (Connection lock = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            lock.setAutoCommit(false);
            try (PreparedStatement statement = lock.prepareStatement(
                    "SELECT id FROM incident WHERE id = ?::uuid FOR UPDATE")) {
                statement.setString(1, held.toString());
                statement.executeQuery().close();
            }
            TestClock.CLOCK.advance(Duration.ofMinutes(2));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(count(escalated, free))
                    .as("the free incident escalated while the one before it in the round is locked").isEqualTo(1));
            assertThat(count(escalated, held)).isZero();
            lock.rollback();
        }
        TestClock.CLOCK.advance(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(count(escalated, held))
                .as("the held incident escalated once its lock was let go").isEqualTo(1));
    }

    @Test
    void aResolveThatDeadlocksWithATimerFiringIsRunAgainAndAnswered200() throws Exception {
        UUID incident = open("RacedResolve", "critical", "raced resolve");
        try (Connection round = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            round.setAutoCommit(false);
            // What a round taking timers before their incident held: the incident's timers...
            try (PreparedStatement statement = round.prepareStatement(
                    "SELECT id FROM escalation_timer WHERE incident_id = ?::uuid FOR UPDATE")) {
                statement.setString(1, incident.toString());
                statement.executeQuery().close();
            }
            CompletableFuture<Integer> resolve = CompletableFuture.supplyAsync(() -> RestAssured.given()
                    .auth().oauth2("test-token-oncall-000000001").contentType("application/json").body("{}")
                    .post("/api/v1/incidents/" + incident + "/resolve").statusCode());
            // ...while the resolve holds the incident and waits for them...
            await().atMost(Duration.ofSeconds(30)).until(() -> count("SELECT count(*) FROM pg_stat_activity "
                    + "WHERE wait_event_type = 'Lock' AND query ILIKE ?", "%escalation_timer%") > 0);
            // ...and then wants the incident: a deadlock, which PostgreSQL breaks by failing the resolve (40P01).
            try (PreparedStatement statement = round.prepareStatement(
                    "UPDATE incident SET title = title WHERE id = ?::uuid")) {
                statement.setString(1, incident.toString());
                statement.executeUpdate();
            } catch (SQLException chosen) {
                assertThat(chosen.getSQLState()).isEqualTo("40P01"); // this side lost the deadlock instead
            }
            round.rollback();
            assertThat(resolve.get(30, TimeUnit.SECONDS)).as("the resolve's answer").isEqualTo(200);
        }
        assertThat(text("SELECT state FROM incident WHERE id = ?::uuid", incident)).isEqualTo("resolved");
    }

    /** Sends a firing alert and waits for its incident. */
    private UUID open(String alertname, String severity, String summary) throws SQLException {
        feed.send(AlertFeed.firing(Map.of("alertname", alertname, "severity", severity, "service", "timers"),
                summary));
        await().atMost(Duration.ofSeconds(30)).until(() -> text("SELECT id FROM incident WHERE title = ?",
                summary) != null);
        return UUID.fromString(text("SELECT id FROM incident WHERE title = ?", summary));
    }

    private long insertTimer(UUID incident, int level, int cycle, Instant due) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
                PreparedStatement statement = connection.prepareStatement("INSERT INTO escalation_timer "
                        + "(incident_id, kind, level, cycle, due_at) VALUES (?, 'level', ?, ?, ?) RETURNING id")) {
            statement.setObject(1, incident);
            statement.setInt(2, level);
            statement.setInt(3, cycle);
            statement.setTimestamp(4, Timestamp.from(due));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private long timerAttempts(long timer) throws SQLException {
        return count("SELECT attempts FROM escalation_timer WHERE id = ?", timer);
    }

    private long count(String sql, Object parameter) throws SQLException {
        String value = text(sql, parameter);
        return value == null ? 0 : Long.parseLong(value);
    }

    private String text(String sql, Object parameter) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, parameter instanceof UUID ? parameter.toString() : parameter);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }
}
