package io.tocsin.escalation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.tocsin.events.AlertReceived;
import io.tocsin.events.IncidentOpened;
import io.tocsin.events.Topics;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.PostgresDatabase;
import io.tocsin.testsupport.TopicWatcher;

/**
 * Two packaged instances in one consumer group, and alerts of one group spread over every partition (the generic
 * door keys by fingerprint), so both instances try to open the same incident at the same moment: exactly one
 * incident opens and every alert joins it.
 */
class TwoInstancesIT {

    private static final String POLICY = """
            version: 1
            policies:
              - name: race
                levels:
                  - notify: [{slack: "#race"}]
            """;

    private static final String GROUP = "escalation-race-it";

    private final List<Process> services = new ArrayList<>();

    @AfterEach
    void stop() {
        services.forEach(Process::destroyForcibly);
    }

    @Test
    void twoInstancesRacingToOpenOneGroupOpenOneIncident() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        Path policy = Files.createTempFile("race-policy", ".yaml");
        Files.writeString(policy, POLICY);
        try (PostgresDatabase database = PostgresDatabase.create();
                TopicWatcher incidents = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.INCIDENTS, 3);
                AlertFeed feed = new AlertFeed(broker.bootstrapServers())) {
            TopicWatcher.fromNow(broker.bootstrapServers(), Topics.ALERTS, 3).close();
            // A consumer group of their own, so instances of other tests on the shared broker take no partitions; one
            // alert consumer each, so each instance holds partitions.
            Map<String, String> group = Map.of("MP_MESSAGING_INCOMING_ALERTS_GROUP_ID", GROUP,
                    "TOCSIN_ESCALATION_ALERT_CONSUMERS", "1");
            services.add(EscalationRestartIT.start(broker, database, policy, EscalationRestartIT.freePort(), group));
            services.add(EscalationRestartIT.start(broker, database, policy, EscalationRestartIT.freePort(), group));
            await().atMost(Duration.ofSeconds(60)).until(() -> membersWithPartitions(broker) == 2);

            List<AlertReceived> alerts = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                alerts.add(AlertFeed.firing(Map.of("alertname", "RaceProbe", "service", "race", "instance", "host-" + i),
                        "race probe"));
            }
            alerts.forEach(feed::send);

            await().atMost(Duration.ofSeconds(60)).until(() -> count(database,
                    "SELECT count(*) FROM alert WHERE labels->>'alertname' = 'RaceProbe'") == 30);
            assertThat(count(database, "SELECT count(*) FROM incident WHERE group_key LIKE '%RaceProbe%'"))
                    .as("one incident for the group").isEqualTo(1);
            assertThat(count(database, "SELECT count(DISTINCT incident_id) FROM alert "
                    + "WHERE labels->>'alertname' = 'RaceProbe'")).as("every alert joined it").isEqualTo(1);
            await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> true);
            assertThat(incidents.poll(Duration.ofMillis(500)).stream()
                    .map(record -> AlertFeed.event(record.value()))
                    .filter(event -> event instanceof IncidentOpened opened && opened.groupKey().contains("RaceProbe")))
                    .as("one incident.opened on the topic").hasSize(1);
        } finally {
            Files.deleteIfExists(policy);
        }
    }

    private static int membersWithPartitions(KafkaBroker broker) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP);
            return (int) group.members().stream()
                    .filter(member -> member.assignment().topicPartitions().stream()
                            .anyMatch(partition -> partition.topic().equals(Topics.ALERTS)))
                    .count();
        }
    }

    private static long count(PostgresDatabase database, String sql) throws Exception {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.user(), "");
                PreparedStatement statement = connection.prepareStatement(sql);
                ResultSet rows = statement.executeQuery()) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
