package io.tocsin.runbook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;

import io.tocsin.events.Priority;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.PostgresDatabase;

/**
 * The packaged service is killed (SIGKILL) while a run waits, and started again: the run resumes where it was, its
 * next call is made once, and it ends. Real time here (a 4 s wait), since the clock of another process cannot be moved;
 * the test only waits, it never sleeps.
 */
class RunbookRestartIT {

    private static final String RUNBOOK = """
            version: 1
            name: survive-restart
            match:
              labels: {test: restart}
            steps:
              - name: pause
                kind: wait
                duration: 4s
              - name: call
                kind: http
                method: POST
                url: ${FAKE_URL}/after-restart/{{labels.deployment}}
              - name: tell
                kind: notify
                message: survived
            """;
    private static final String TOKEN = "restart-test-token-0001";

    private final HttpClient http = HttpClient.newHttpClient();
    private Process service;
    private WireMockServer fake;

    @AfterEach
    void stop() {
        if (service != null) {
            service.destroyForcibly();
        }
        if (fake != null) {
            fake.stop();
        }
    }

    @Test
    void aRunWaitingWhenTheServiceDiesResumesAfterTheRestartAndMakesItsNextCallOnce() throws Exception {
        KafkaBroker broker = KafkaBroker.shared();
        fake = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        fake.start();
        fake.stubFor(post(urlPathMatching("/after-restart/.*")).willReturn(aResponse().withStatus(200)));
        Path folder = Files.createTempDirectory("runbooks");
        Files.writeString(folder.resolve("restart.yaml"), RUNBOOK);
        try (PostgresDatabase database = PostgresDatabase.create()) {
            int port = freePort();
            Map<String, String> env = Map.of(
                    "TOCSIN_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                    "TOCSIN_DB_HOST", database.host(),
                    "TOCSIN_DB_PORT", Integer.toString(database.port()),
                    "TOCSIN_DB_NAME", database.name(),
                    "TOCSIN_DB_USER", database.user(),
                    "TOCSIN_API_TOKENS", "restart:" + TOKEN,
                    "TOCSIN_RUNBOOK_DIR", folder.toString(),
                    "TOCSIN_RUNBOOK_HTTP_ALLOWED_HOSTS", "127.0.0.1",
                    "FAKE_URL", "http://127.0.0.1:" + fake.port(),
                    "QUARKUS_HTTP_PORT", Integer.toString(port));
            service = start(env, port);
            UUID incident = UUID.randomUUID();
            IncidentFeed.to(broker.bootstrapServers()).send(IncidentFeed.opened(incident, Priority.P1,
                    Map.of("alertname", "RestartProbe", "test", "restart", "deployment", "r1")));
            await().atMost(Duration.ofSeconds(60)).until(() -> "waiting".equals(
                    run(port, incident).path("currentStepState").asText()));

            service.destroyForcibly().waitFor();
            assertThat(fake.getAllServeEvents()).as("nothing called before the wait ended").isEmpty();

            service = start(env, port);
            await().atMost(Duration.ofSeconds(60)).until(() -> "succeeded".equals(
                    run(port, incident).path("state").asText()));
            assertThat(fake.getAllServeEvents()).as("the call after the wait, once").singleElement()
                    .satisfies(event -> assertThat(event.getRequest().getUrl()).isEqualTo("/after-restart/r1"));
            JsonNode runs = get(port, "/api/v1/runbook-runs?incident=" + incident).path("items");
            assertThat(runs).hasSize(1);
            JsonNode steps = get(port, "/api/v1/runbook-runs/" + runs.get(0).path("id").asText()).path("steps");
            assertThat(steps.findValuesAsText("state")).containsExactly("succeeded", "succeeded", "succeeded");
        } finally {
            Files.deleteIfExists(folder.resolve("restart.yaml"));
            Files.deleteIfExists(folder);
        }
    }

    private JsonNode run(int port, UUID incident) throws Exception {
        JsonNode items = get(port, "/api/v1/runbook-runs?incident=" + incident).path("items");
        return items.isEmpty() ? items : items.get(0);
    }

    private JsonNode get(int port, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return IncidentFeed.MAPPER.readTree(response.body());
    }

    /** Starts the packaged service with these settings, and waits until it is ready. */
    private Process start(Map<String, String> env, int port) throws IOException {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar");
        assertThat(jar).as("the packaged service (mvn package runs before failsafe)").exists();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", "restart-it.log").toFile()));
        builder.environment().putAll(env);
        Process process = builder.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> ready(port));
        return process;
    }

    private boolean ready(int port) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
