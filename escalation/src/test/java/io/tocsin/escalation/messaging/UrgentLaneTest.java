package io.tocsin.escalation.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.hibernate.reactive.mutiny.Mutiny;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.tocsin.escalation.AlertFeed;
import io.tocsin.escalation.Db;
import io.tocsin.escalation.domain.PriorityRules;
import io.tocsin.escalation.service.AlertIntake;
import io.tocsin.events.AlertOrigin;
import io.tocsin.events.AlertReceived;
import io.tocsin.events.AlertStatus;
import io.tocsin.outbox.Outbox;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;

/**
 * The urgent lane (ADR 19) on the real broker and database: a P0 behind a P3 the main lane is held at is applied at
 * once, and applied once when the main lane reaches it.
 */
@QuarkusTest
@TestProfile(UrgentLaneTest.Lane.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class UrgentLaneTest {
    /** The urgent lane on, as in production; the other tests run without it. */
    public static class Lane implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The profiled key too, so that nothing of the default test profile can turn it back off.
            return Map.of("tocsin.escalation.urgent-lane", "true", "%test.tocsin.escalation.urgent-lane", "true");
        }
    }

    private static final Instant T0 = Instant.parse("2026-12-04T03:00:00Z");

    @InjectKafkaBroker
    KafkaBroker broker;

    @Inject
    MeterRegistry registry;

    @Inject
    Mutiny.SessionFactory sessions;

    @Inject
    Outbox outbox;

    @Inject
    AlertIntake intake;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

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
    void aP0BehindAP3TheMainLaneIsHeldAtOpensItsIncidentAtOnceAndOnlyOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        AlertReceived opener = alert("HeldStorm" + run, "h0", "warning");
        feed.send(opener);
        await().atMost(Duration.ofSeconds(30)).until(() -> Db.text("SELECT incident_id::text FROM alert"
                + " WHERE fingerprint = ?", opener.fingerprint()) != null);
        String held = Db.text("SELECT incident_id::text FROM alert WHERE fingerprint = ?", opener.fingerprint());
        AlertReceived joiner = alert("HeldStorm" + run, "h1", "warning");
        AlertReceived probe = alert("UrgentProbe" + run, "h0", "critical", Map.of("priority", "P0"));
        AlertReceived after = alert("HeldStorm" + run, "h2", "warning");
        double urgentBefore = applied("urgent");

        try (Connection lock = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            // The P3 incident locked, as by a long transaction: the main lane waits at the joiner, in front of the P0.
            lock.setAutoCommit(false);
            String locker = backendPid(lock);
            try (PreparedStatement statement = lock
                    .prepareStatement("SELECT id FROM incident WHERE id = ?::uuid FOR UPDATE")) {
                statement.setString(1, held);
                statement.executeQuery().close();
            }
            // One key: one partition, the P0 after the P3.
            feed.sendAllRaw(opener.partitionKey(), List.of(json(joiner), json(probe)));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Db.text("SELECT i.priority FROM alert a JOIN incident i ON i.id = a.incident_id"
                        + " WHERE a.fingerprint = ?", probe.fingerprint())).isEqualTo("P0");
                assertThat(Db.number("SELECT count(*) FROM pg_stat_activity WHERE pg_blocking_pids(pid) @> ARRAY[?::int]",
                        locker)).as("the main lane still waits for the lock").isPositive();
                assertThat(applied("urgent")).isGreaterThan(urgentBefore);
            });
            assertThat(Db.number("SELECT count(*) FROM alert WHERE fingerprint = ?", joiner.fingerprint()))
                    .as("the P3 in front of it is not applied yet").isZero();
            lock.rollback();
        }

        // The main lane goes on: the joiner, then the P0 (applied before: skipped), then a P3 after it.
        feed.sendAllRaw(opener.partitionKey(), List.of(json(after)));
        await().atMost(Duration.ofSeconds(30)).until(
                () -> Db.number("SELECT count(*) FROM alert WHERE fingerprint = ?", after.fingerprint()) == 1);
        assertThat(Db.number("SELECT count(*) FROM alert WHERE fingerprint = ?", joiner.fingerprint())).isEqualTo(1);
        String urgent = Db.text("SELECT incident_id::text FROM alert WHERE fingerprint = ?", probe.fingerprint());
        assertThat(Db.number("SELECT deliveries FROM alert WHERE fingerprint = ?", probe.fingerprint())).isEqualTo(1);
        assertThat(Db.number("SELECT count(*) FROM incident WHERE group_key LIKE ?", "%UrgentProbe" + run + "%"))
                .isEqualTo(1);
        assertThat(Db.number("SELECT count(*) FROM outbox WHERE message_key = ? AND payload::jsonb->>'type'"
                + " = 'incident.opened'", urgent)).as("opened once, by one lane").isEqualTo(1);
    }

    @Test
    void aReFireSeenBeforeTheResolutionAheadOfItIsLeftToTheMainLane() throws Exception {
        String name = "Flap" + UUID.randomUUID().toString().substring(0, 8);
        AlertReceived fired = alert(name, "h0", "critical");
        AlertReceived resolved = new AlertReceived(UUID.randomUUID(), Instant.now(), "test", AlertOrigin.GENERIC,
                fired.fingerprint(), AlertStatus.RESOLVED, fired.labels(), fired.annotations(), T0,
                T0.plusSeconds(30), null, null);
        AlertReceived again = new AlertReceived(UUID.randomUUID(), Instant.now(), "test", AlertOrigin.GENERIC,
                fired.fingerprint(), AlertStatus.FIRING, fired.labels(), fired.annotations(), T0.plusSeconds(60),
                null, null, null);
        Db.onContext(() -> intake.applyIfNew(fired));

        // The lane sees the re-fire while the resolution before it waits in the main lane's backlog: by what is
        // stored it only repeats the firing occurrence, so the lane leaves it, unmarked.
        Db.onContext(() -> intake.applyIfNew(again));
        assertThat(Db.number("SELECT count(*) FROM processed_message WHERE message_id = ?", "alert:" + again.eventId()))
                .isZero();

        // The main lane, in order: the resolution, then the re-fire, a new occurrence that fires.
        Db.onContext(() -> intake.apply(resolved));
        Db.onContext(() -> intake.apply(again));
        assertThat(Db.text("SELECT status || ' ' || extract(epoch FROM starts_at)::bigint FROM alert"
                + " WHERE fingerprint = ? ORDER BY starts_at DESC LIMIT 1", fired.fingerprint()))
                .isEqualTo("firing " + T0.plusSeconds(60).getEpochSecond());
    }

    @Test
    void aMarkTheOtherLaneWritesFirstIsFoundProcessedWithoutFailingTheTransaction() throws Exception {
        String message = "alert:" + UUID.randomUUID();
        try (Connection other = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            other.setAutoCommit(false);
            try (PreparedStatement mark = other.prepareStatement(
                    "INSERT INTO processed_message (message_id, processed_at) VALUES (?, now())")) {
                mark.setString(1, message);
                mark.executeUpdate();
            }
            CompletableFuture<Boolean> second = CompletableFuture.supplyAsync(() -> Db.onContext(() -> sessions
                    .withTransaction(session -> outbox.firstTime(session, message, Instant.now()))));
            await().atMost(Duration.ofSeconds(20)).until(() -> Db.number("SELECT count(*) FROM pg_stat_activity"
                    + " WHERE wait_event_type = 'Lock' AND query LIKE 'insert into processed_message%'") == 1);
            other.commit();

            assertThat(second.get(20, TimeUnit.SECONDS)).as("processed by the other lane").isFalse();
        }
    }

    @Test
    void theLaneTakesFiringP0AndP1OnlyP0FirstEachPriorityInArrivalOrder() {
        AlertReceived p3 = alert("Lane", "a", "warning");
        AlertReceived p1first = alert("Lane", "b", "critical");
        AlertReceived p0 = alert("Lane", "c", "critical", Map.of("environment", "production"));
        AlertReceived p2 = alert("Lane", "d", "error");
        AlertReceived p1second = alert("Lane", "e", "warning", Map.of("priority", "P1"));
        AlertReceived p0resolved = new AlertReceived(UUID.randomUUID(), Instant.now(), "test", AlertOrigin.GENERIC,
                "Lane-f", AlertStatus.RESOLVED, Map.of("alertname", "Lane", "priority", "P0"), Map.of(), T0,
                T0.plusSeconds(60), null, null);
        List<KafkaRecord<String, AlertReceived>> records = List.of(record(p3), record(p1first), record(null),
                record(p0), record(p2), record(p0resolved), record(p1second));

        assertThat(UrgentAlertConsumer.urgent(records, new PriorityRules()))
                .extracting(KafkaRecord::getPayload).containsExactly(p0, p1first, p1second);
    }

    private static String backendPid(Connection connection) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_backend_pid()");
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getString(1);
        }
    }

    private double applied(String lane) {
        return registry.find("tocsin.escalation.alerts.applied").tag("lane", lane).counters().stream()
                .mapToDouble(Counter::count).sum();
    }

    private static KafkaRecord<String, AlertReceived> record(AlertReceived alert) {
        return KafkaRecord.of("key", alert);
    }

    private static AlertReceived alert(String name, String instance, String severity) {
        return alert(name, instance, severity, Map.of());
    }

    private static AlertReceived alert(String name, String instance, String severity, Map<String, String> extra) {
        Map<String, String> labels = new java.util.HashMap<>(Map.of("alertname", name, "instance", instance,
                "severity", severity, "service", "checkout"));
        labels.putAll(extra);
        return new AlertReceived(UUID.randomUUID(), Instant.now(), "test", AlertOrigin.GENERIC, name + "-" + instance,
                AlertStatus.FIRING, labels, Map.of("summary", name + " on " + instance), T0, null, null, null);
    }

    private static String json(AlertReceived alert) {
        try {
            return AlertFeed.MAPPER.writeValueAsString(alert);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
