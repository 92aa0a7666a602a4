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

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tocsin.escalation.AlertFeed;
import io.tocsin.events.AlertAttached;
import io.tocsin.events.AlertOrigin;
import io.tocsin.events.AlertReceived;
import io.tocsin.events.AlertResolved;
import io.tocsin.events.AlertStatus;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.IncidentOpened;
import io.tocsin.events.IncidentReopened;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.Priority;
import io.tocsin.events.PriorityChanged;
import io.tocsin.events.Topics;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;
import io.tocsin.testsupport.TopicWatcher;

/** Alerts in on the real broker, incidents in the real database, incident events out through the outbox. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class IncidentLifecycleTest {

    private static final Instant T0 = Instant.parse("2026-11-22T03:00:00Z");
    /** Events of the escalation ladder, which EscalationRunTest covers; these tests look at intake only. */
    private static final java.util.Set<Class<?>> ESCALATION = java.util.Set.of(
            io.tocsin.events.NotificationRequested.class, io.tocsin.events.IncidentEscalated.class,
            io.tocsin.events.SlaBreached.class);

    @InjectKafkaBroker
    KafkaBroker broker;

    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String jdbcUrl;

    private AlertFeed feed;
    private TopicWatcher incidents;

    @BeforeEach
    void open() {
        feed = new AlertFeed(broker.bootstrapServers());
        incidents = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.INCIDENTS, 3);
    }

    @AfterEach
    void close() {
        feed.close();
        incidents.close();
    }

    @Test
    void alertmanagerResendsAndDuplicateDeliveriesOpenOneIncidentAndOnlyCount() throws SQLException {
        AlertReceived alert = alert("ResendStorm", "db1", "critical", AlertStatus.FIRING, T0);
        send(alert);
        send(alert); // the same record redelivered
        AlertReceived resend = copy(alert);
        send(resend);
        send(resend); // a resend redelivered: counted once (the one-statement path for repeats)
        for (int i = 0; i < 3; i++) {
            send(copy(alert)); // group_interval resends and the HA twin: same occurrence, new event ids
        }

        List<IncidentEvent> events = awaitEvents("ResendStorm", 2);
        assertThat(events).hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(
                () -> assertThat(queryLong("SELECT deliveries FROM alert WHERE labels->>'alertname' = ?", "ResendStorm"))
                        .isEqualTo(5));
        assertThat(queryLong("SELECT count(*) FROM incident WHERE group_key LIKE ?", "alertname=ResendStorm%"))
                .isEqualTo(1);
        assertThat(incidents.poll(Duration.ofMillis(500)).stream().filter(r -> r.value().contains("ResendStorm"))
                .filter(r -> !r.value().contains("notification.requested")))
                .as("no timeline noise from resends").hasSize(2);
    }

    @Test
    void alertsOfOneGroupShareAnIncidentAndOtherServicesGetTheirOwn() {
        send(alert("GroupProbe", "web1", "warning", AlertStatus.FIRING, T0));
        send(alert("GroupProbe", "web2", "warning", AlertStatus.FIRING, T0));
        send(alert("GroupProbe", "web3", "warning", AlertStatus.FIRING, T0, "billing"));

        List<IncidentEvent> events = awaitEvents("GroupProbe", 5);
        assertThat(events).filteredOn(IncidentOpened.class::isInstance).hasSize(2);
        List<UUID> checkoutIncidents = events.stream().filter(AlertAttached.class::isInstance)
                .map(e -> (AlertAttached) e).filter(e -> !e.labels().get("service").equals("billing"))
                .map(IncidentEvent::incidentId).distinct().toList();
        assertThat(checkoutIncidents).hasSize(1);
    }

    @Test
    void priorityRisesAndFallsWithoutSplittingAndTheIncidentResolvesWithItsLastAlert() {
        send(alert("Escalating", "db1", "warning", AlertStatus.FIRING, T0));
        send(alert("Escalating", "db1", "critical", AlertStatus.FIRING, T0.plusSeconds(60)));
        List<IncidentEvent> opened = awaitEvents("Escalating", 4);
        assertThat(opened).hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class, AlertAttached.class,
                PriorityChanged.class);
        PriorityChanged rise = (PriorityChanged) opened.get(3);
        assertThat(rise.from()).isEqualTo(Priority.P3);
        assertThat(rise.to()).isEqualTo(Priority.P1);
        assertThat(opened).extracting(IncidentEvent::incidentId).containsOnly(opened.get(0).incidentId());

        send(alert("Escalating", "db1", "critical", AlertStatus.RESOLVED, T0.plusSeconds(60)));
        send(alert("Escalating", "db1", "warning", AlertStatus.RESOLVED, T0));

        List<IncidentEvent> all = awaitEvents("Escalating", 8);
        assertThat(all.subList(4, 8)).hasExactlyElementsOfTypes(AlertResolved.class, PriorityChanged.class,
                AlertResolved.class, IncidentResolved.class);
        assertThat(((PriorityChanged) all.get(5)).to()).isEqualTo(Priority.P3);
        assertThat(((IncidentResolved) all.get(7)).actor()).isEqualTo("tocsin");
    }

    @Test
    void anIncidentThatFiresAgainSoonAfterResolvingIsReopenedNotDuplicated() {
        send(alert("Flappy", "db1", "warning", AlertStatus.FIRING, T0));
        send(alert("Flappy", "db1", "warning", AlertStatus.RESOLVED, T0));
        send(alert("Flappy", "db1", "warning", AlertStatus.FIRING, T0.plusSeconds(120)));

        List<IncidentEvent> events = awaitEvents("Flappy", 6);
        assertThat(events).hasExactlyElementsOfTypes(IncidentOpened.class, AlertAttached.class, AlertResolved.class,
                IncidentResolved.class, IncidentReopened.class, AlertAttached.class);
        assertThat(events).extracting(IncidentEvent::incidentId).containsOnly(events.get(0).incidentId());
    }

    @Test
    void aLateResolutionOfAnEarlierOccurrenceLeavesTheNewerOneFiring() throws SQLException {
        send(alert("LateTwin", "db1", "warning", AlertStatus.FIRING, T0));
        send(alert("LateTwin", "db1", "warning", AlertStatus.RESOLVED, T0));
        send(alert("LateTwin", "db1", "warning", AlertStatus.FIRING, T0.plusSeconds(120)));
        awaitEvents("LateTwin", 6); // opened, attached, resolved, incident resolved, reopened, attached

        AlertReceived late = alert("LateTwin", "db1", "warning", AlertStatus.RESOLVED, T0); // the HA twin's copy
        send(late);
        send(alert("LateTwin", "db1", "warning", AlertStatus.RESOLVED, T0.plusSeconds(1))); // never seen firing
        await().atMost(Duration.ofSeconds(30)).until(() -> queryLong(
                "SELECT deliveries FROM alert WHERE fingerprint = ? ORDER BY starts_at DESC LIMIT 1",
                late.fingerprint()) == 3);
        assertThat(queryText("SELECT status FROM alert WHERE fingerprint = ? ORDER BY starts_at DESC LIMIT 1",
                late.fingerprint())).as("the newer occurrence still fires").isEqualTo("firing");
        assertThat(queryText("SELECT i.state FROM incident i JOIN alert a ON a.incident_id = i.id "
                + "WHERE a.fingerprint = ? ORDER BY a.starts_at DESC LIMIT 1", late.fingerprint())).isEqualTo("open");

        send(alert("LateTwin", "db1", "warning", AlertStatus.RESOLVED, T0.plusSeconds(120)));
        List<IncidentEvent> events = awaitEvents("LateTwin", 8);
        assertThat(events.subList(6, 8)).as("its own resolution ends it")
                .hasExactlyElementsOfTypes(AlertResolved.class, IncidentResolved.class);
    }

    @Test
    void aPoisonRecordGoesToTheDeadLetterTopicAndItsPartitionKeepsFlowing() throws Exception {
        try (TopicWatcher dead = TopicWatcher.fromNow(broker.bootstrapServers(), "tocsin.alerts.dlq.v1", 1)) {
            // Same key, so the same partition as the good alert that follows it.
            AlertReceived good = alert("AfterPoison", "db1", "warning", AlertStatus.FIRING, T0);
            feed.sendRaw(good.partitionKey(), "{\"this is\": not an alert");
            // Readable, but PostgreSQL refuses a NUL in text: the first statement a delivery meets fails, every time.
            AlertReceived refused = new AlertReceived(UUID.randomUUID(), good.receivedAt(), good.source(),
                    good.origin(), "nul\u0000print", good.status(), good.labels(), good.annotations(), good.startsAt(),
                    null, null, null);
            feed.sendRaw(good.partitionKey(), AlertFeed.MAPPER.writeValueAsString(refused));
            send(good);

            assertThat(awaitEvents("AfterPoison", 2)).hasExactlyElementsOfTypes(IncidentOpened.class,
                    AlertAttached.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> dead.poll(Duration.ofMillis(100)).size() >= 2);
            assertThat(dead.seen()).hasSize(2)
                    .allSatisfy(record -> assertThat(record.key()).isEqualTo(good.partitionKey()));

        }
    }

    private List<IncidentEvent> awaitEvents(String alertname, int count) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> incidents.poll(Duration.ofMillis(100)).stream()
                .filter(record -> belongsTo(record, alertname))
                .map(record -> AlertFeed.event(record.value()))
                .filter(event -> !ESCALATION.contains(event.getClass()))
                .toList(), events -> events.size() >= count);
    }

    /** Events of incidents whose alerts are named {@code alertname}: the opened event names it, the others follow. */
    private final java.util.Set<String> incidentIds = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private boolean belongsTo(ConsumerRecord<String, String> record, String alertname) {
        if (record.value().contains("\"incident.opened\"") && record.value().contains("alertname=" + alertname)) {
            incidentIds.add(alertname + "/" + record.key());
        }
        return incidentIds.contains(alertname + "/" + record.key());
    }

    private void send(AlertReceived alert) {
        feed.send(alert);
    }

    private static AlertReceived alert(String name, String instance, String severity, AlertStatus status,
            Instant startsAt) {
        return alert(name, instance, severity, status, startsAt, "checkout");
    }

    private static AlertReceived alert(String name, String instance, String severity, AlertStatus status,
            Instant startsAt, String service) {
        Map<String, String> labels = Map.of("alertname", name, "instance", instance, "severity", severity,
                "service", service);
        return new AlertReceived(UUID.randomUUID(), Instant.now(), "test", AlertOrigin.GENERIC,
                name + "-" + instance + "-" + severity + "-" + service, status, labels,
                Map.of("summary", name + " on " + instance), startsAt,
                status == AlertStatus.RESOLVED ? startsAt.plusSeconds(30) : null, null, null);
    }

    private static AlertReceived copy(AlertReceived alert) {
        return new AlertReceived(UUID.randomUUID(), Instant.now(), alert.source(), alert.origin(), alert.fingerprint(),
                alert.status(), alert.labels(), alert.annotations(), alert.startsAt(), alert.endsAt(),
                alert.generatorUrl(), alert.alertmanager());
    }

    private String queryText(String sql, String parameter) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    private long queryLong(String sql, String parameter) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, "postgres", "");
                PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getLong(1) : -1;
            }
        }
    }
}
