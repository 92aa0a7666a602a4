package io.tocsin.system;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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
 * The whole loop with the packaged services: Alertmanager's webhook into alert-ingest, an incident in escalation, a
 * Slack message and a PagerDuty trigger from the notifier; then an Acknowledge press in Slack, which escalation
 * applies, PagerDuty follows and the Slack message shows. Then the notifier is killed and re-reads every event from
 * the start, and nobody is notified twice.
 */
class SlackRoundTripIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INGEST_TOKEN = "system-test-ingest-token-0001";
    private static final String API_TOKEN = "system-test-api-token-00000001";
    private static final String SIGNING_SECRET = "system-test-signing-secret";
    private static final String ROUTING_KEY = "R0SYSTEMTEST0000000000000000000";

    private final HttpClient http = HttpClient.newHttpClient();
    private WireMockServer fakes;
    private PostgresDatabase database;
    private Services services;
    private KafkaBroker broker;

    @BeforeEach
    void start() {
        fakes = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        fakes.start();
        fakes.stubFor(post(urlEqualTo("/api/chat.postMessage")).willReturn(okJson(
                "{\"ok\":true,\"channel\":\"C0SYSTEM\",\"ts\":\"{{randomValue length=10 type='NUMERIC'}}.000200\"}")
                .withTransformers("response-template")));
        fakes.stubFor(post(urlEqualTo("/api/chat.update")).willReturn(okJson("{\"ok\":true}")));
        fakes.stubFor(post(urlEqualTo("/v2/enqueue")).willReturn(aResponse().withStatus(202)
                .withBody("{\"status\":\"success\",\"message\":\"Event processed\"}")));
        database = PostgresDatabase.create();
        // A broker of its own: the replay below reads every incident event there is, and other tests' incidents
        // would be notified in this test's fake Slack.
        broker = KafkaBroker.start();
        services = new Services(broker, database);
    }

    @AfterEach
    void stop() {
        services.close();
        broker.close();
        database.close();
        fakes.stop();
    }

    @Test
    void pagedInSlackAndPagerDutyAcknowledgedFromSlackAndNobodyNotifiedTwiceAfterACrash() throws Exception {
        int ingest = Services.freePort();
        int escalation = Services.freePort();
        int notifier = Services.freePort();
        Map<String, String> shared = Map.of(
                "TOCSIN_SLACK_CHANNEL", "#system-test <!subteam^S0SYS>",
                "TOCSIN_PAGERDUTY_ROUTING_KEY", ROUTING_KEY);
        services.start("alert-ingest", ingest, Map.of("TOCSIN_INGEST_TOKENS", "alertmanager:" + INGEST_TOKEN));
        services.start("escalation", escalation, with(shared, "TOCSIN_API_TOKENS", "oncall:" + API_TOKEN));
        Map<String, String> notifierSettings = notifierSettings(escalation);
        Process notifierProcess = services.start("notifier", notifier, notifierSettings);

        HttpResponse<String> accepted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ingest
                + "/api/v1/alerts/alertmanager")).header("Authorization", "Bearer " + INGEST_TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(webhook()))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).isEqualTo(202);

        LoggedRequest root = await().atMost(Duration.ofSeconds(60)).until(() -> slackPosts(false),
                list -> list.size() == 1).get(0);
        Map<String, String> rootForm = form(root);
        assertThat(rootForm.get("channel")).isEqualTo("#system-test");
        JsonNode blocks = JSON.readTree(rootForm.get("blocks"));
        assertThat(blocks.toString()).contains("<!subteam^S0SYS>").contains("CheckoutErrors")
                .contains("5xx above 5% on checkout");
        String incident = blocks.findParent("block_id").path("elements").get(0).path("value").asText();
        JsonNode trigger = await().atMost(Duration.ofSeconds(30)).until(() -> pagerDuty(), l -> l.size() == 1).get(0);
        assertThat(trigger.path("event_action").asText()).isEqualTo("trigger");
        assertThat(trigger.path("dedup_key").asText()).isEqualTo("tocsin-" + incident);

        HttpResponse<String> pressed = press(notifier, incident, "U0ANA");
        assertThat(pressed.statusCode()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(60)).until(() -> api(escalation, "/api/v1/incidents/" + incident)
                .path("acknowledgedBy").asText(), "slack:U0ANA"::equals);
        await().atMost(Duration.ofSeconds(30)).until(() -> fakes.findAll(
                com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlEqualTo("/api/chat.update")))
                .stream().anyMatch(update -> decodedBlocks(update).contains("Acknowledged by <@U0ANA>")));
        await().atMost(Duration.ofSeconds(30)).until(() -> pagerDuty().stream()
                .anyMatch(event -> event.path("event_action").asText().equals("acknowledge")
                        && event.path("dedup_key").asText().equals("tocsin-" + incident)));
        await().atMost(Duration.ofSeconds(30)).until(() -> api(escalation, "/api/v1/incidents/" + incident
                + "/timeline").path("items").findValuesAsText("kind"), kinds -> kinds.contains("notification.delivered"));

        await().atMost(Duration.ofSeconds(30)).until(() -> slackPosts(true).stream()
                .anyMatch(reply -> form(reply).get("text").contains("Acknowledged by <@U0ANA>")));
        int repliesBefore = slackPosts(true).size();
        int pagerDutyBefore = pagerDuty().size();
        // SIGKILL, then a start that re-reads every incident event from the beginning: the worst redelivery there is.
        notifierProcess.destroyForcibly().waitFor();
        services.start("notifier", notifier,
                with(notifierSettings, "MP_MESSAGING_INCOMING_INCIDENTS_GROUP_ID", "notifier-replay"));
        HttpResponse<String> note = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + escalation
                + "/api/v1/incidents/" + incident + "/notes")).header("Authorization", "Bearer " + API_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"rolled back the deploy\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(note.statusCode()).isLessThan(300);
        // The note comes after everything replayed on the incident's partition: once it is in Slack, the replay is done.
        await().atMost(Duration.ofSeconds(60)).until(() -> slackPosts(true).stream()
                .anyMatch(reply -> form(reply).get("text").contains("rolled back the deploy")));
        assertThat(slackPosts(false)).as("root messages").hasSize(1);
        assertThat(slackPosts(true)).as("thread replies: only the note is new").hasSize(repliesBefore + 1);
        assertThat(pagerDuty()).as("PagerDuty events").hasSize(pagerDutyBefore);
    }

    private Map<String, String> notifierSettings(int escalation) {
        return Map.of(
                "TOCSIN_SLACK_API_URL", fakes.baseUrl() + "/api/",
                "TOCSIN_SLACK_BOT_TOKEN", "xoxb-system-test",
                "TOCSIN_SLACK_SIGNING_SECRET", SIGNING_SECRET,
                "TOCSIN_PAGERDUTY_EVENTS_URL", fakes.baseUrl() + "/v2/enqueue",
                "TOCSIN_INCIDENT_URL", "http://127.0.0.1:" + escalation + "/api/v1/incidents/");
    }

    private HttpResponse<String> press(int notifier, String incident, String user) throws Exception {
        return Slack.press(http, notifier, SIGNING_SECRET, user, "{\"type\":\"button\",\"action_id\":\"incident.ack\","
                + "\"block_id\":\"incident-actions\",\"value\":\"" + incident + "\",\"action_ts\":\"1712345679.000001\"}",
                "https://hooks.slack.com/actions/T0SYS/1/x");
    }

    private JsonNode api(int escalation, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + escalation
                + path)).header("Authorization", "Bearer " + API_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private List<LoggedRequest> slackPosts(boolean replies) {
        return fakes.findAll(com.github.tomakehurst.wiremock.client.WireMock
                .postRequestedFor(urlEqualTo("/api/chat.postMessage"))).stream()
                .filter(request -> form(request).containsKey("thread_ts") == replies).toList();
    }

    private List<JsonNode> pagerDuty() {
        return fakes.findAll(com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor(urlEqualTo("/v2/enqueue")))
                .stream().map(request -> {
                    try {
                        return JSON.readTree(request.getBodyAsString());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).toList();
    }

    private static String decodedBlocks(LoggedRequest request) {
        try {
            return JSON.readTree(form(request).get("blocks")).toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> form(LoggedRequest request) {
        return Slack.form(request);
    }

    private static Map<String, String> with(Map<String, String> settings, String key, String value) {
        Map<String, String> all = new HashMap<>(settings);
        all.put(key, value);
        return all;
    }

    private static String webhook() {
        return """
                {"version":"4","groupKey":"{}:{alertname=\\"CheckoutErrors\\"}","truncatedAlerts":0,"status":"firing",
                 "receiver":"tocsin","groupLabels":{"alertname":"CheckoutErrors"},
                 "commonLabels":{"alertname":"CheckoutErrors","severity":"critical","service":"checkout"},
                 "commonAnnotations":{"summary":"5xx above 5% on checkout"},"externalURL":"http://alertmanager:9093",
                 "alerts":[{"status":"firing","labels":{"alertname":"CheckoutErrors","severity":"critical",
                 "service":"checkout","instance":"checkout-1"},"annotations":{"summary":"5xx above 5% on checkout"},
                 "startsAt":"STARTS_AT","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prometheus:9090/graph",
                 "fingerprint":"c0ffee0000000001"}]}
                """.replace("STARTS_AT", Instant.now().minusSeconds(5).toString());
    }
}
