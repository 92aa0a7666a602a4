package io.tocsin.notifier.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tocsin.events.AlertAttached;
import io.tocsin.events.IncidentOpened;
import io.tocsin.events.NotificationTarget;
import io.tocsin.events.Priority;
import io.tocsin.events.Topics;
import io.tocsin.notifier.Db;
import io.tocsin.notifier.Fakes;
import io.tocsin.notifier.IncidentFeed;
import io.tocsin.notifier.Seen;
import io.tocsin.notifier.TestClock;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;

/**
 * The notifier's urgent lane (ADR 19) on the real broker and database: a new P0 incident behind a P3 event the main
 * lane is held at is paged at once, and paged once when the main lane reaches its events.
 */
@QuarkusTest
@TestProfile(UrgentLaneTest.Lane.class)
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(Fakes.class)
class UrgentLaneTest {
    /** The urgent lane on, as in production; the other tests run without it. */
    public static class Lane implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // The profiled key too, so that nothing of the default test profile can turn it back off.
            return Map.of("tocsin.notifier.urgent-lane", "true", "%test.tocsin.notifier.urgent-lane", "true");
        }
    }

    @InjectKafkaBroker
    KafkaBroker broker;

    IncidentFeed feed;

    @BeforeEach
    void feed() {
        feed = IncidentFeed.to(broker.bootstrapServers());
    }

    @Test
    void aNewP0IncidentBehindAP3EventTheMainLaneIsHeldAtIsPagedAtOnceAndOnlyOnce() throws Exception {
        int partitions = partitions();
        UUID held = UUID.randomUUID();
        UUID urgent = onPartitionOf(held, partitions);
        UUID after = onPartitionOf(held, partitions);
        String key = "RU" + UUID.randomUUID().toString().replace("-", "").substring(0, 30);
        feed.send(opened(held, Priority.P3, "HeldStorm"));
        await().atMost(Duration.ofSeconds(30)).until(() -> Db.column("SELECT incident_id FROM notifier.incident_view"
                + " WHERE incident_id = ?", held).size() == 1);

        List<String> planned;
        try (Connection lock = Db.connect()) {
            // The P3 incident's view locked, as by a long transaction: the main lane waits at its next event.
            lock.setAutoCommit(false);
            String locker;
            try (PreparedStatement pid = lock.prepareStatement("SELECT pg_backend_pid()");
                    java.sql.ResultSet rows = pid.executeQuery()) {
                rows.next();
                locker = rows.getString(1);
            }
            try (PreparedStatement statement = lock
                    .prepareStatement("SELECT incident_id FROM notifier.incident_view WHERE incident_id = ? FOR UPDATE")) {
                statement.setObject(1, held);
                statement.executeQuery().close();
            }
            Instant now = TestClock.CLOCK.instant();
            feed.send(new AlertAttached(UUID.randomUUID(), held, now, "held-h1", Map.of("alertname", "HeldStorm"),
                    Map.of(), now, null, Priority.P3));
            feed.send(IncidentFeed.opened(urgent, Priority.P0, "Checkout down", Map.of("alertname", "CheckoutDown"),
                    Map.of(), new NotificationTarget(NotificationTarget.Channel.PAGERDUTY, key)));

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Seen.pagerDutyEvents(key)).hasSize(1);
                assertThat(Db.column("SELECT count(*) FROM pg_stat_activity WHERE pg_blocking_pids(pid) @> ARRAY[?::int]",
                        locker)).as("the main lane still waits for the lock").isNotEqualTo(List.of("0"));
            });
            assertThat(Db.column("SELECT alerts FROM notifier.incident_view WHERE incident_id = ?", held))
                    .as("the P3 event in front of it is not applied yet").containsExactly("0");
            planned = Db.column("SELECT count(*) FROM notifier.delivery WHERE incident_id = ?", urgent);
            lock.rollback();
        }

        // The main lane goes on: the P3 event, then the P0's (applied before: skipped), then one after them.
        feed.send(opened(after, Priority.P3, "After"));
        await().atMost(Duration.ofSeconds(30)).until(() -> Db.column("SELECT incident_id FROM notifier.incident_view"
                + " WHERE incident_id = ?", after).size() == 1);
        assertThat(Db.column("SELECT alerts FROM notifier.incident_view WHERE incident_id = ?", held))
                .containsExactly("1");
        assertThat(Db.column("SELECT count(*) FROM notifier.delivery WHERE incident_id = ?", urgent))
                .as("planned once, by one lane").isEqualTo(planned).isNotEqualTo(List.of("0"));
        assertThat(Seen.pagerDutyEvents(key)).as("paged once").hasSize(1);
    }

    private static IncidentOpened opened(UUID incident, Priority priority, String title) {
        return new IncidentOpened(UUID.randomUUID(), incident, TestClock.CLOCK.instant(), "alertname=" + title, title,
                null, priority, Map.of("alertname", title));
    }

    /** An incident id whose events the producer writes to the same partition as {@code incident}'s. */
    private static UUID onPartitionOf(UUID incident, int partitions) {
        int partition = partition(incident, partitions);
        while (true) {
            UUID candidate = UUID.randomUUID();
            if (partition(candidate, partitions) == partition) {
                return candidate;
            }
        }
    }

    /** As Kafka's default partitioner places a keyed record. */
    private static int partition(UUID incident, int partitions) {
        return Utils.toPositive(Utils.murmur2(incident.toString().getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private int partitions() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            return admin.describeTopics(List.of(Topics.INCIDENTS)).allTopicNames().get().get(Topics.INCIDENTS)
                    .partitions().size();
        }
    }
}
