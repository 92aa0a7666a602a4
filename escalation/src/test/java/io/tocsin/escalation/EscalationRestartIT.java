package io.tocsin.escalation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.tocsin.events.IncidentEscalated;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.IncidentOpened;
import io.tocsin.events.NotificationRequested;
import io.tocsin.events.Topics;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.PostgresDatabase;
import io.tocsin.testsupport.TopicWatcher;

/**
 * The packaged service is killed (SIGKILL) in the middle of an escalation and started again: the level that came due
 * while it was down still fires, exactly once. Real time here (a policy whose second level waits 6 s), since the clock
 * of another process cannot be moved; the test only waits, it never sleeps.
 */
class EscalationRestartIT {

    private static final String POLICY = """
            version: 1
            policies:
              - name: restart-test
                levels:
                  - after: 0s
                    notify: [{slack: "#first"}]
                  - after: 6s
                    notify: [{slack: "#second"}]
            """;

    private Process service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.destroyForcibly();
        }
    }

    @Test
    void aLevelThatCameDueWhileTheServiceWasDownFiresOnceAfterTheRestart() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        Path policy = Files.createTempFile("restart-policy", ".yaml");
        Files.writeString(policy, POLICY);
        try (PostgresDatabase database = PostgresDatabase.create();
                TopicWatcher watcher = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.INCIDENTS, 3);
                AlertFeed feed = new AlertFeed(broker.bootstrapServers())) {
            int port = freePort();
            service = start(broker, database, policy, port);
            feed.send(AlertFeed.firing(Map.of("alertname", "RestartProbe", "service", "restart"), "restart probe"));
            UUID incident = await().atMost(Duration.ofSeconds(60)).until(() -> opened(watcher), Optional::isPresent)
                    .orElseThrow();
            assertThat(notified(watcher, incident, "#first")).isEqualTo(1);

            service.destroyForcibly().waitFor();
            assertThat(notified(watcher, incident, "#second")).as("not yet due when it died").isZero();

            service = start(broker, database, policy, port);
            await().atMost(Duration.ofSeconds(60)).until(() -> notified(watcher, incident, "#second") >= 1);
            await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() -> true);
            assertThat(notified(watcher, incident, "#second")).as("fired once, after the restart").isEqualTo(1);
            assertThat(events(watcher)).filteredOn(IncidentEscalated.class::isInstance).hasSize(1);
        } finally {
            Files.deleteIfExists(policy);
        }
    }

    static Process start(KafkaBroker broker, PostgresDatabase database, Path policy, int port)
            throws IOException {
        return start(broker, database, policy, port, Map.of());
    }

    /** Starts the packaged service with these settings on top, and waits until it is ready. */
    static Process start(KafkaBroker broker, PostgresDatabase database, Path policy, int port,
            Map<String, String> more) throws IOException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assertThat(jar).as("the packaged service (mvn package runs before failsafe)").exists();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "restart-it.log").toFile()));
        builder.environment().putAll(Map.of(
                "TOCSIN_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "TOCSIN_DB_HOST", database.host(),
                "TOCSIN_DB_PORT", Integer.toString(database.port()),
                "TOCSIN_DB_NAME", database.name(),
                "TOCSIN_DB_USER", database.user(),
                "TOCSIN_API_TOKENS", "restart:restart-test-token-0001",
                "TOCSIN_ESCALATION_POLICY_FILE", policy.toString(),
                "QUARKUS_HTTP_PORT", Integer.toString(port)));
        builder.environment().putAll(more);
        Process process = builder.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> ready(port));
        return process;
    }

    private static boolean ready(int port) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port
                    + "/q/health/ready").toURL().openConnection();
            connection.setConnectTimeout(500);
            connection.setReadTimeout(2000);
            return connection.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static List<IncidentEvent> events(TopicWatcher watcher) {
        return watcher.poll(Duration.ofMillis(100)).stream().map(record -> AlertFeed.event(record.value())).toList();
    }

    private static Optional<UUID> opened(TopicWatcher watcher) {
        return events(watcher).stream()
                .filter(event -> event instanceof IncidentOpened opened && opened.groupKey().contains("RestartProbe"))
                .map(IncidentEvent::incidentId).findFirst();
    }

    private static long notified(TopicWatcher watcher, UUID incident, String channel) {
        return events(watcher).stream()
                .filter(event -> event instanceof NotificationRequested request && request.incidentId().equals(incident)
                        && request.target().address().equals(channel))
                .count();
    }
}
