package io.tocsin.escalation.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tocsin.escalation.AlertFeed;
import io.tocsin.escalation.Db;
import io.tocsin.events.AlertOrigin;
import io.tocsin.events.AlertReceived;
import io.tocsin.events.AlertStatus;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;
import io.tocsin.testsupport.TopicWatcher;

/**
 * Escalation's bulk application of alerts (ADR 17) on the real database and broker: a batch applied in a few
 * statements gives what one at a time gives, a replayed batch changes nothing, and in a mixed batch only the bad
 * records are dead-lettered.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class BatchIntakeTest {

    private static final Instant T0 = Instant.parse("2026-12-03T03:00:00Z");

    @Inject
    BatchIntake batches;

    @Inject
    AlertIntake intake;

    @Inject
    MeterRegistry registry;

    @InjectKafkaBroker
    KafkaBroker broker;

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
    void repeatsAndNewAlertsOfAnOpenIncidentAreAppliedTogetherAndAReplayChangesNothing() throws SQLException {
        AlertReceived first = alert("BulkJoin", "h0", AlertStatus.FIRING);
        Db.onContext(() -> intake.apply(first));
        String incident = Db.text("SELECT incident_id::text FROM alert WHERE fingerprint = ?", first.fingerprint());

        AlertReceived second = alert("BulkJoin", "h1", AlertStatus.FIRING);
        AlertReceived third = alert("BulkJoin", "h2", AlertStatus.FIRING);
        long version = Db.number("SELECT version FROM incident WHERE id = ?::uuid", incident);
        List<AlertReceived> batch = List.of(copy(first), second, copy(second), third, copy(first),
                alert("BulkJoin", "never-fired", AlertStatus.RESOLVED));

        assertThat(Db.onContext(() -> batches.applyLeading(batch))).isEqualTo(batch.size());

        assertThat(Db.number("SELECT deliveries FROM alert WHERE fingerprint = ?", first.fingerprint())).isEqualTo(3);
        assertThat(Db.number("SELECT deliveries FROM alert WHERE fingerprint = ?", second.fingerprint())).isEqualTo(2);
        assertThat(Db.number("SELECT deliveries FROM alert WHERE fingerprint = ?", third.fingerprint())).isEqualTo(1);
        assertThat(Db.number("SELECT count(*) FROM alert WHERE incident_id = ?::uuid", incident)).isEqualTo(3);
        assertThat(Db.number("SELECT count(*) FROM alert WHERE fingerprint = ?", "BulkJoin-never-fired")).isZero();
        assertThat(Db.text("SELECT string_agg(summary, ' | ' ORDER BY id) FROM timeline_entry WHERE incident_id = ?::uuid"
                + " AND kind = 'alert.attached'", incident))
                .isEqualTo(
                        "alert BulkJoin on h0 fired (P3) | alert BulkJoin on h1 fired (P3) | alert BulkJoin on h2 fired (P3)");
        assertThat(Db.text("SELECT string_agg(payload, ' | ' ORDER BY id) FROM outbox WHERE message_key = ?", incident))
                .contains("\"fingerprint\":\"" + second.fingerprint() + "\"")
                .containsSubsequence(second.fingerprint(), third.fingerprint());
        assertThat(Db.text("SELECT string_agg(payload::jsonb->>'type', ' ' ORDER BY id) FROM outbox WHERE message_key = ?"
                + " AND payload::jsonb->>'type' LIKE 'alert%.attached'", incident))
                .as("the two new alerts of one commit are published as one record")
                .isEqualTo("alert.attached alerts.attached");
        assertThat(Db.number("SELECT version FROM incident WHERE id = ?::uuid", incident))
                .as("the incident's version moved, so a writer holding the old one retries").isGreaterThan(version);
        long rows = Db.number("SELECT count(*) FROM outbox WHERE message_key = ?", incident);
        long entries = Db.number("SELECT count(*) FROM timeline_entry WHERE incident_id = ?::uuid", incident);

        // As after a crash between the commit and the offset commit: the same records again.
        assertThat(Db.onContext(() -> batches.applyLeading(batch))).isEqualTo(batch.size());

        assertThat(Db.number("SELECT deliveries FROM alert WHERE fingerprint = ?", first.fingerprint())).isEqualTo(3);
        assertThat(Db.number("SELECT deliveries FROM alert WHERE fingerprint = ?", second.fingerprint())).isEqualTo(2);
        assertThat(Db.number("SELECT count(*) FROM outbox WHERE message_key = ?", incident)).isEqualTo(rows);
        assertThat(Db.number("SELECT count(*) FROM timeline_entry WHERE incident_id = ?::uuid", incident))
                .isEqualTo(entries);
    }

    @Test
    void theBulkWritesWhatApplyingTheSameDeliveriesOneAtATimeWrites() throws SQLException {
        // The same deliveries for two twin groups: one group's in bulk, the other's one at a time.
        Map<String, List<AlertReceived>> twins = new java.util.LinkedHashMap<>();
        for (String name : List.of("TwinBulk", "TwinAlone")) {
            AlertReceived h0 = withUrl(alert(name, "h0", AlertStatus.FIRING));
            AlertReceived h1 = withUrl(alert(name, "h1", AlertStatus.FIRING));
            Db.onContext(() -> intake.apply(h0));
            twins.put(name, List.of(h1, copy(h1), withUrl(alert(name, "h2", AlertStatus.FIRING)), copy(h0)));
        }
        assertThat(Db.onContext(() -> batches.applyLeading(twins.get("TwinBulk")))).isEqualTo(4);
        for (AlertReceived alert : twins.get("TwinAlone")) {
            Db.onContext(() -> intake.apply(alert));
        }

        String alerts = "SELECT string_agg(concat_ws(' ', fingerprint, status, priority, labels::text, annotations::text,"
                + " generator_url, source, starts_at, deliveries), E'\\n' ORDER BY fingerprint) FROM alert"
                + " WHERE labels->>'alertname' = ?";
        assertThat(Db.text(alerts, "TwinBulk").replace("TwinBulk", "Twin"))
                .isEqualTo(Db.text(alerts, "TwinAlone").replace("TwinAlone", "Twin"));
        String timeline = "SELECT string_agg(concat_ws(' ', t.kind, t.actor, t.summary), E'\\n' ORDER BY t.id)"
                + " FROM timeline_entry t WHERE t.incident_id = (SELECT incident_id FROM alert"
                + " WHERE labels->>'alertname' = ? LIMIT 1)";
        assertThat(Db.text(timeline, "TwinBulk").replace("TwinBulk", "Twin"))
                .isEqualTo(Db.text(timeline, "TwinAlone").replace("TwinAlone", "Twin"));
        // The alerts the published events attach, in order: an alerts.attached says what its members would.
        String events = "SELECT string_agg((m.a - 'eventId' - 'incidentId' - 'occurredAt' - 'type')::text, E'\\n'"
                + " ORDER BY o.id, m.n) FROM outbox o, jsonb_array_elements(CASE o.payload::jsonb->>'type'"
                + " WHEN 'alerts.attached' THEN o.payload::jsonb->'alerts' ELSE jsonb_build_array(o.payload::jsonb) END)"
                + " WITH ORDINALITY AS m(a, n) WHERE o.message_key = (SELECT incident_id::text FROM alert"
                + " WHERE labels->>'alertname' = ? LIMIT 1) AND o.payload::jsonb->>'type' LIKE 'alert%.attached'";
        assertThat(Db.text(events, "TwinBulk").replace("TwinBulk", "Twin"))
                .isEqualTo(Db.text(events, "TwinAlone").replace("TwinAlone", "Twin"))
                .contains("\"generatorUrl\": \"http://prometheus:9090/graph\"");
        String kinds = "SELECT string_agg(payload::jsonb->>'type', ' ' ORDER BY id) FROM outbox WHERE message_key ="
                + " (SELECT incident_id::text FROM alert WHERE labels->>'alertname' = ? LIMIT 1)"
                + " AND payload::jsonb->>'type' LIKE 'alert%.attached'";
        assertThat(Db.text(kinds, "TwinBulk")).as("the bulk's two new alerts are one record")
                .isEqualTo("alert.attached alerts.attached");
        assertThat(Db.text(kinds, "TwinAlone")).isEqualTo("alert.attached alert.attached alert.attached");
    }

    @Test
    void theBulkStopsAtWhatOnlyTheOneAtATimePathMayDo() {
        AlertReceived known = alert("BulkStops", "h0", AlertStatus.FIRING);
        Db.onContext(() -> intake.apply(known));

        // Opening an incident, resolving an occurrence, raising a priority, and a NUL the database refuses.
        assertThat(applied(alert("BulkStopsElsewhere", "h0", AlertStatus.FIRING))).isZero();
        assertThat(applied(copy(known), resolvedCopy(known), copy(known))).isEqualTo(1);
        assertThat(applied(alert("BulkStops", "h1", AlertStatus.FIRING, "critical"))).isZero();
        Map<String, String> nul = Map.of("alertname", "BulkStops", "service", "checkout", "instance", "h\u0000");
        assertThat(applied(new AlertReceived(UUID.randomUUID(), Instant.now(), "test", AlertOrigin.GENERIC, "nul",
                AlertStatus.FIRING, nul, Map.of(), T0, null, null, null))).isZero();
    }

    @Test
    void aMixedBatchThroughTheConsumerDeadLettersOnlyTheBadRecordsAndAppliesTheRestInOrder() throws Exception {
        try (TopicWatcher dead = TopicWatcher.fromNow(broker.bootstrapServers(), "tocsin.alerts.dlq.v1", 1)) {
            AlertReceived opener = alert("BulkMixed", "h0", AlertStatus.FIRING);
            AlertReceived joiner = alert("BulkMixed", "h1", AlertStatus.FIRING);
            AlertReceived flapping = alert("BulkMixed", "h2", AlertStatus.FIRING);
            AlertReceived refused = new AlertReceived(UUID.randomUUID(), Instant.now(), "test", AlertOrigin.GENERIC,
                    "nul\u0000print", AlertStatus.FIRING, opener.labels(), opener.annotations(), T0, null, null, null);
            String key = opener.partitionKey();
            // One key: one partition, in this order, sent at once so that the consumer polls them together.
            List<String> values = new ArrayList<>();
            values.add(json(opener));
            values.add("{\"this is\": not an alert");
            values.add(json(copy(opener)));
            values.add(json(joiner));
            values.add(json(refused));
            values.add(json(flapping));
            values.add(json(resolvedCopy(flapping))); // fires and resolves within the batch: ends resolved
            values.add(json(copy(joiner)));
            values.add(json(alert("BulkMixed", "stale", AlertStatus.RESOLVED)));
            double bulkBefore = bulkApplied();
            feed.sendAllRaw(key, values);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Db.text("SELECT status FROM alert WHERE fingerprint = ?", flapping.fingerprint()))
                        .isEqualTo("resolved");
                assertThat(Db.number("SELECT deliveries FROM alert WHERE fingerprint = ?", joiner.fingerprint()))
                        .isEqualTo(2);
            });
            assertThat(Db.number("SELECT deliveries FROM alert WHERE fingerprint = ?", opener.fingerprint())).isEqualTo(2);
            assertThat(Db.text("SELECT status FROM alert WHERE fingerprint = ?", opener.fingerprint())).isEqualTo("firing");
            assertThat(Db.number("SELECT count(*) FROM incident WHERE group_key LIKE 'alertname=BulkMixed%'")).isEqualTo(1);
            assertThat(bulkApplied()).as("some of the batch went in bulk").isGreaterThan(bulkBefore);
            await().atMost(Duration.ofSeconds(30)).until(() -> dead.poll(Duration.ofMillis(100)).size() >= 2);
            assertThat(dead.seen()).hasSize(2).allSatisfy(record -> assertThat(record.key()).isEqualTo(key))
                    .anySatisfy(record -> assertThat(String.valueOf(record.value()))
                            .contains(refused.eventId().toString()));

            // The whole batch again, as after a crash before the offsets were committed: nothing changes.
            String incident = Db.text("SELECT incident_id::text FROM alert WHERE fingerprint = ?", opener.fingerprint());
            long entries = Db.number("SELECT count(*) FROM timeline_entry WHERE incident_id = ?::uuid", incident);
            List<String> again = new ArrayList<>(values);
            again.remove(1);
            again.remove(json(refused));
            AlertReceived marker = alert("BulkMixed", "after-replay", AlertStatus.FIRING);
            again.add(json(marker));
            feed.sendAllRaw(key, again);
            await().atMost(Duration.ofSeconds(30)).until(
                    () -> Db.number("SELECT count(*) FROM alert WHERE fingerprint = ?", marker.fingerprint()) == 1);
            assertThat(Db.number("SELECT deliveries FROM alert WHERE fingerprint = ?", joiner.fingerprint())).isEqualTo(2);
            assertThat(Db.number("SELECT deliveries FROM alert WHERE fingerprint = ?", opener.fingerprint())).isEqualTo(2);
            assertThat(Db.number("SELECT count(*) FROM timeline_entry WHERE incident_id = ?::uuid", incident))
                    .as("only the marker's attachment").isEqualTo(entries + 1);
        }
    }

    @Test
    void aDeliveryAnotherConsumerMarksWhileTheBulkWritesIsCoveredInsteadOfFailingTheBulk() throws Exception {
        AlertReceived first = alert("BulkRace", "h0", AlertStatus.FIRING);
        Db.onContext(() -> intake.apply(first));
        AlertReceived repeat = copy(first);
        try (Connection other = DriverManager.getConnection(jdbcUrl, "postgres", "")) {
            // The other lane (ADR 19) applies the same delivery: its mark is written, not committed yet.
            other.setAutoCommit(false);
            try (PreparedStatement mark = other.prepareStatement(
                    "INSERT INTO processed_message (message_id, processed_at) VALUES (?, now())")) {
                mark.setString(1, "alert:" + repeat.eventId());
                mark.executeUpdate();
            }
            CompletableFuture<Integer> bulk = CompletableFuture
                    .supplyAsync(() -> Db.onContext(() -> batches.applyLeading(List.of(repeat))));
            await().atMost(Duration.ofSeconds(20)).until(() -> Db.number("SELECT count(*) FROM pg_stat_activity"
                    + " WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO processed_message%unnest%'") == 1);
            other.commit();

            assertThat(bulk.get(20, TimeUnit.SECONDS)).as("read again, the plan covers it as applied").isEqualTo(1);
        }
        assertThat(Db.number("SELECT deliveries FROM alert WHERE fingerprint = ?", first.fingerprint()))
                .as("counted by the lane that marked it, not again by the bulk").isEqualTo(1);
    }

    private double bulkApplied() {
        Counter counter = registry.find("tocsin.escalation.alerts.applied").tag("lane", "main").tag("path", "bulk")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private int applied(AlertReceived... alerts) {
        return Db.onContext(() -> batches.applyLeading(List.of(alerts)));
    }

    private static AlertReceived alert(String name, String instance, AlertStatus status) {
        return alert(name, instance, status, "warning");
    }

    private static AlertReceived alert(String name, String instance, AlertStatus status, String severity) {
        Map<String, String> labels = Map.of("alertname", name, "instance", instance, "severity", severity, "service",
                "checkout");
        return new AlertReceived(UUID.randomUUID(), Instant.now(), "test", AlertOrigin.GENERIC, name + "-" + instance,
                status, labels, Map.of("summary", name + " on " + instance), T0,
                status == AlertStatus.RESOLVED ? T0.plusSeconds(30) : null, null, null);
    }

    private static AlertReceived withUrl(AlertReceived alert) {
        return new AlertReceived(alert.eventId(), alert.receivedAt(), alert.source(), alert.origin(),
                alert.fingerprint(), alert.status(), alert.labels(), alert.annotations(), alert.startsAt(),
                alert.endsAt(), "http://prometheus:9090/graph", alert.alertmanager());
    }

    private static AlertReceived copy(AlertReceived alert) {
        return new AlertReceived(UUID.randomUUID(), Instant.now(), alert.source(), alert.origin(), alert.fingerprint(),
                alert.status(), alert.labels(), alert.annotations(), alert.startsAt(), alert.endsAt(),
                alert.generatorUrl(), alert.alertmanager());
    }

    private static AlertReceived resolvedCopy(AlertReceived alert) {
        return new AlertReceived(UUID.randomUUID(), Instant.now(), alert.source(), alert.origin(), alert.fingerprint(),
                AlertStatus.RESOLVED, alert.labels(), alert.annotations(), alert.startsAt(),
                alert.startsAt().plusSeconds(30), alert.generatorUrl(), alert.alertmanager());
    }

    private static String json(AlertReceived alert) {
        try {
            return AlertFeed.MAPPER.writeValueAsString(alert);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
