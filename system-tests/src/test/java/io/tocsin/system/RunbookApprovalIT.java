package io.tocsin.system;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.patchRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.PostgresDatabase;

/**
 * A runbook that asks before it acts, with the five packaged services: an alert opens an incident, the runbook engine
 * starts the runbook, the approval request appears in the incident's Slack thread with Approve and Deny, an on-call
 * engineer presses Approve, and only then does the runbook call the (fake) Kubernetes API. The incident's timeline
 * shows every step and who approved.
 */
class RunbookApprovalIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INGEST_TOKEN = "system-test-ingest-token-0002";
    private static final String API_TOKEN = "system-test-api-token-00000002";
    private static final String SIGNING_SECRET = "system-test-signing-secret-2";
    private static final String RUNBOOK = """
            version: 1
            name: scale-checkout
            match:
              labels: {service: checkout, alertname: CheckoutSlow}
            steps:
              - name: ask
                kind: approval
                message: Scale {{labels.deployment}} to 6 replicas?
                timeout: 10m
              - name: scale
                kind: http
                method: PATCH
                url: ${KUBE_URL}/apis/apps/v1/namespaces/shop/deployments/{{labels.deployment}}/scale
                body: '{"spec":{"replicas":6}}'
              - name: tell
                kind: notify
                message: "{{labels.deployment}} scaled to 6"
            """;

    private final HttpClient http = HttpClient.newHttpClient();
    private WireMockServer fakes;
    private PostgresDatabase database;
    private Services services;
    private Path runbooks;

    @BeforeEach
    void start() throws Exception {
        fakes = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        fakes.start();
        fakes.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(okJson(
                "{\"ok\":true,\"channel\":\"C0SYSTEM\",\"ts\":\"{{randomValue length=10 type='NUMERIC'}}.000300\"}")
                .withTransformers("response-template")));
        fakes.stubFor(post(urlEqualTo("/api/chat.update")).willReturn(okJson("{\"ok\":true}")));
        fakes.stubFor(post(urlEqualTo("/slack/response")).willReturn(aResponse().withStatus(200)));
        fakes.stubFor(patch(urlEqualTo("/apis/apps/v1/namespaces/shop/deployments/checkout/scale"))
                .willReturn(okJson("{\"kind\":\"Scale\",\"spec\":{\"replicas\":6}}")));
        runbooks = Files.createTempDirectory("runbooks");
        Files.writeString(runbooks.resolve("scale.yaml"), RUNBOOK);
        database = PostgresDatabase.create();
        services = new Services(KafkaBroker.shared(), database);
    }

    @AfterEach
    void stop() throws Exception {
        services.close();
        database.close();
        fakes.stop();
        Files.deleteIfExists(runbooks.resolve("scale.yaml"));
        Files.deleteIfExists(runbooks);
    }

    @Test
    void theRunbookAsksInSlackAndActsOnlyOnceSomeoneApproves() throws Exception {
        int ingest = Services.freePort();
        int escalation = Services.freePort();
        int notifier = Services.freePort();
        int engine = Services.freePort();
        services.start("alert-ingest", ingest, Map.of("TOCSIN_INGEST_TOKENS", "generic:" + INGEST_TOKEN));
        services.start("escalation", escalation, Map.of("TOCSIN_SLACK_CHANNEL", "#system-test",
                "TOCSIN_API_TOKENS", "oncall:" + API_TOKEN));
        services.start("notifier", notifier, Map.of(
                "TOCSIN_SLACK_API_URL", fakes.baseUrl() + "/api/",
                "TOCSIN_SLACK_BOT_TOKEN", "xoxb-system-test",
                "TOCSIN_SLACK_SIGNING_SECRET", SIGNING_SECRET,
                "TOCSIN_NOTIFIER_SLACK_RESPONSE_URL_HOSTS", "127.0.0.1",
                "TOCSIN_INCIDENT_URL", "http://127.0.0.1:" + escalation + "/api/v1/incidents/"));
        services.start("runbook-engine", engine, Map.of(
                "TOCSIN_API_TOKENS", "oncall:" + API_TOKEN,
                "TOCSIN_RUNBOOK_DIR", runbooks.toString(),
                "TOCSIN_RUNBOOK_HTTP_ALLOWED_HOSTS", "127.0.0.1",
                "KUBE_URL", "http://127.0.0.1:" + fakes.port()));

        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest
                + "/api/v1/alerts")).header("Authorization", "Bearer " + INGEST_TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"labels\":{\"alertname\":\"CheckoutSlow\",\"service\":\"checkout\",\"deployment\":"
                                + "\"checkout\",\"severity\":\"critical\"},\"annotations\":{\"summary\":\"p99 above 2 s\"}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).isEqualTo(202);

        LoggedRequest request = await().atMost(Duration.ofSeconds(90)).until(() -> approvalRequests(),
                list -> !list.isEmpty()).get(0);
        JsonNode blocks = JSON.readTree(Slack.form(request).get("blocks"));
        assertThat(blocks.toString()).contains("Scale checkout to 6 replicas?");
        JsonNode approve = blocks.findValues("elements").stream().flatMap(e -> stream(e))
                .filter(element -> "runbook.approve".equals(element.path("action_id").asText())).findFirst()
                .orElseThrow();
        String blockId = blocks.findParents("block_id").stream()
                .filter(block -> block.path("block_id").asText().startsWith("runbook-approval:")).findFirst()
                .orElseThrow().path("block_id").asText();
        assertThat(scaleCalls()).as("nothing is done before someone approves").isEmpty();

        HttpResponse<String> pressed = Slack.press(http, notifier, SIGNING_SECRET, "U0ANA",
                "{\"type\":\"button\",\"action_id\":\"runbook.approve\",\"block_id\":\"" + blockId + "\",\"value\":\""
                        + approve.path("value").asText() + "\",\"action_ts\":\"1712345680.000001\"}",
                "http://127.0.0.1:" + fakes.port() + "/slack/response",
                "{\"text\":\"approval\",\"blocks\":" + blocks + "}");
        assertThat(pressed.statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).until(() -> scaleCalls().size() == 1);
        assertThat(scaleCalls().get(0).getBodyAsString()).isEqualTo("{\"spec\":{\"replicas\":6}}");
        String incident = blockId.substring("runbook-approval:".length());
        JsonNode runs = api(engine, "/api/v1/runbook-runs?incident=" + incident).path("items");
        await().atMost(Duration.ofSeconds(30)).until(() -> api(engine, "/api/v1/runbook-runs?incident=" + incident)
                .path("items").get(0).path("state").asText(), "succeeded"::equals);
        assertThat(runs).hasSize(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> timelineKinds(escalation, incident),
                kinds -> kinds.contains("runbook.run.succeeded"));
        JsonNode timeline = api(escalation, "/api/v1/incidents/" + incident + "/timeline").path("items");
        assertThat(stream(timeline).filter(line -> line.path("kind").asText().equals("runbook.approval.approved"))
                .findFirst().orElseThrow().path("actor").asText()).isEqualTo("slack:U0ANA");
        assertThat(timelineKinds(escalation, incident)).containsSubsequence("runbook.run.started",
                "runbook.approval.requested", "runbook.approval.approved", "runbook.step.started",
                "runbook.step.succeeded", "runbook.run.succeeded");
        // The notify step's note comes through escalation's command topic, so it may land before or after the end.
        await().atMost(Duration.ofSeconds(30)).until(() -> timelineKinds(escalation, incident),
                kinds -> kinds.contains("note.added"));
        assertThat(fakes.findAll(postRequestedFor(urlEqualTo("/slack/response"))))
                .as("the pressed message loses its buttons").singleElement()
                .satisfies(r -> assertThat(r.getBodyAsString()).contains("Approval sent by <@U0ANA>"));
    }

    private List<LoggedRequest> approvalRequests() {
        return fakes.findAll(postRequestedFor(urlEqualTo("/api/chat.postMessage"))).stream()
                .filter(r -> Slack.form(r).containsKey("thread_ts")
                        && String.valueOf(Slack.form(r).get("blocks")).contains("runbook.approve"))
                .toList();
    }

    private List<LoggedRequest> scaleCalls() {
        return fakes.findAll(patchRequestedFor(urlEqualTo("/apis/apps/v1/namespaces/shop/deployments/checkout/scale")));
    }

    private List<String> timelineKinds(int escalation, String incident) throws Exception {
        return api(escalation, "/api/v1/incidents/" + incident + "/timeline").path("items").findValuesAsText("kind");
    }

    private JsonNode api(int port, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + API_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false);
    }
}
