package io.tocsin.notifier.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tocsin.events.IncidentCommand;
import io.tocsin.events.Priority;
import io.tocsin.events.Topics;
import io.tocsin.notifier.Fakes;
import io.tocsin.notifier.IncidentFeed;
import io.tocsin.notifier.TestClock;
import io.tocsin.notifier.domain.SlackSignature;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;
import io.tocsin.testsupport.TopicWatcher;

/** Slack's interactivity requests: signed presses become commands; anything unsigned, forged or stale is refused. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(Fakes.class)
class SlackInteractionTest {

    private static final SlackSignature SLACK = new SlackSignature(Fakes.SIGNING_SECRET);

    @InjectKafkaBroker
    KafkaBroker broker;

    IncidentFeed feed;

    @BeforeEach
    void feed() {
        feed = IncidentFeed.to(broker.bootstrapServers());
    }

    @Test
    void aSignedAcknowledgePressBecomesACommandWithTheSlackUserAsActor() {
        UUID incident = knownIncident();
        String body = form(press("incident.ack", incident.toString(), "U024BE7LH", "1712345679.123456"));
        try (TopicWatcher commands = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.COMMANDS, 3)) {
            signed(body, now()).post("/slack/interactions").then().statusCode(200);
            // Slack may deliver the same press twice: same command id, applied once by escalation.
            signed(body, now()).post("/slack/interactions").then().statusCode(200);

            List<IncidentCommand> seen = await().atMost(Duration.ofSeconds(20))
                    .until(() -> commands(commands, incident), l -> l.size() == 2);
            IncidentCommand command = seen.get(0);
            assertThat(command.action()).isEqualTo(IncidentCommand.Action.ACKNOWLEDGE);
            assertThat(command.actor()).isEqualTo("slack:U024BE7LH");
            assertThat(command.incidentId()).isEqualTo(incident);
            assertThat(seen.get(1).commandId()).isEqualTo(command.commandId());
        }
    }

    @Test
    void aSnoozeChoiceBecomesASnoozeUntilThatLong() {
        UUID incident = knownIncident();
        String body = form(press("incident.snooze", incident + "|PT1H", "U1", "1712345679.5"));
        try (TopicWatcher commands = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.COMMANDS, 3)) {
            signed(body, now()).post("/slack/interactions").then().statusCode(200);
            IncidentCommand command = await().atMost(Duration.ofSeconds(20))
                    .until(() -> commands(commands, incident), l -> !l.isEmpty()).get(0);
            assertThat(command.action()).isEqualTo(IncidentCommand.Action.SNOOZE);
            assertThat(command.until()).isEqualTo(command.issuedAt().plus(Duration.ofHours(1)));
        }
    }

    @Test
    void forgedStaleFutureAndUnsignedRequestsAreRefused() {
        UUID incident = knownIncident();
        String body = form(press("incident.ack", incident.toString(), "U1", "1712345679.7"));
        long now = now();
        given().contentType("application/x-www-form-urlencoded").header("X-Slack-Request-Timestamp", now)
                .header("X-Slack-Signature", "v0=" + "0".repeat(64)).body(body)
                .post("/slack/interactions").then().statusCode(401)
                .body(containsString("X-Slack-Signature does not match the body"));
        signed(body, now - 301).post("/slack/interactions").then().statusCode(401)
                .body(containsString("more than 5 minutes"));
        signed(body, now + 301).post("/slack/interactions").then().statusCode(401);
        given().contentType("application/x-www-form-urlencoded").body(body).post("/slack/interactions").then()
                .statusCode(401).body(containsString("X-Slack-Request-Timestamp and X-Slack-Signature are required"));
        // Signed for another body: one changed character breaks it.
        String ts = Long.toString(now);
        given().contentType("application/x-www-form-urlencoded").header("X-Slack-Request-Timestamp", ts)
                .header("X-Slack-Signature", SLACK.sign(ts, body.getBytes(StandardCharsets.UTF_8)))
                .body(body.replace("incident.ack", "incident.rsv")).post("/slack/interactions").then()
                .statusCode(401);
    }

    @Test
    void anUnknownIncidentOrActionGetsAPoliteEphemeralReply() throws Exception {
        UUID unknown = UUID.randomUUID();
        signed(form(press("incident.ack", unknown.toString(), "U2", "1.1")), now()).post("/slack/interactions")
                .then().statusCode(200);
        LoggedRequest reply = await().atMost(Duration.ofSeconds(10))
                .until(() -> Fakes.requests("/slack/response", unknown.toString()), l -> l.size() == 1).get(0);
        JsonNode json = IncidentFeed.MAPPER.readTree(reply.getBodyAsString());
        assertThat(json.path("response_type").asText()).isEqualTo("ephemeral");
        assertThat(json.path("replace_original").asBoolean(true)).isFalse();
        assertThat(json.path("text").asText()).contains("does not know incident " + unknown);

        UUID incident = knownIncident();
        signed(form(press("incident.dance", incident.toString(), "U2", "1.2")), now()).post("/slack/interactions")
                .then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> Fakes.requests("/slack/response", "incident.dance"),
                l -> l.size() == 1);
    }

    @Test
    void aSignedPressWhoseActionsAreNotAListGetsAPoliteEphemeralReplyNotAnError() throws Exception {
        UUID incident = knownIncident();
        String payload = press("incident.ack", incident.toString(), "U3", "1.3");
        String notAList = payload.replace("\"actions\":[", "\"actions\":{\"0\":").replaceAll("]}$", "}}");
        assertThat(IncidentFeed.MAPPER.readTree(notAList).path("actions").isObject()).isTrue();
        signed(form(notAList), now()).post("/slack/interactions").then().statusCode(200);
        LoggedRequest reply = await().atMost(Duration.ofSeconds(10))
                .until(() -> Fakes.requests("/slack/response", "cannot read that press"), l -> l.size() == 1).get(0);
        assertThat(IncidentFeed.MAPPER.readTree(reply.getBodyAsString()).path("response_type").asText())
                .isEqualTo("ephemeral");

        String notObjects = payload.replace("\"actions\":[", "\"actions\":[\"incident.ack\",");
        signed(form(notObjects), now()).post("/slack/interactions").then().statusCode(200);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Fakes.requests("/slack/response", "cannot read that press"), l -> l.size() == 2);
    }

    @Test
    void aSignedRequestThatIsNotAnInteractionIsABadRequestNamingTheField() {
        signed("token=x&team_id=T1", now()).post("/slack/interactions").then().statusCode(400)
                .body(containsString("payload"));
    }

    private UUID knownIncident() {
        UUID incident = UUID.randomUUID();
        feed.send(IncidentFeed.opened(incident, Priority.P2, "Pressable", Map.of("alertname", "P"), Map.of(),
                IncidentFeed.slack("#press")));
        await().atMost(Duration.ofSeconds(30)).until(() -> !io.tocsin.notifier.Db
                .column("SELECT 1 FROM notifier.incident_view WHERE incident_id = ?", incident).isEmpty());
        return incident;
    }

    private static long now() {
        return TestClock.CLOCK.instant().getEpochSecond();
    }

    private static io.restassured.specification.RequestSpecification signed(String body, long timestamp) {
        String ts = Long.toString(timestamp);
        return given().contentType("application/x-www-form-urlencoded").header("X-Slack-Request-Timestamp", ts)
                .header("X-Slack-Signature", SLACK.sign(ts, body.getBytes(StandardCharsets.UTF_8))).body(body);
    }

    private static String press(String actionId, String value, String user, String actionTs) {
        String action = actionId.equals("incident.snooze")
                ? "{\"type\":\"static_select\",\"action_id\":\"incident.snooze\",\"block_id\":\"incident-actions\","
                        + "\"selected_option\":{\"value\":\"" + value + "\"},\"action_ts\":\"" + actionTs + "\"}"
                : "{\"type\":\"button\",\"action_id\":\"" + actionId + "\",\"block_id\":\"incident-actions\","
                        + "\"value\":\"" + value + "\",\"action_ts\":\"" + actionTs + "\"}";
        return "{\"type\":\"block_actions\",\"team\":{\"id\":\"T0001\",\"domain\":\"acme\"},"
                + "\"user\":{\"id\":\"" + user + "\",\"username\":\"ana\",\"team_id\":\"T0001\"},"
                + "\"api_app_id\":\"A0001\",\"token\":\"legacy\",\"trigger_id\":\"1.2.3\","
                + "\"container\":{\"type\":\"message\",\"message_ts\":\"1712345678.000100\",\"channel_id\":\"C0TOCSIN01\"},"
                + "\"channel\":{\"id\":\"C0TOCSIN01\",\"name\":\"press\"},"
                + "\"response_url\":\"" + Fakes.baseUrl() + "/slack/response\","
                + "\"actions\":[" + action + "]}";
    }

    private static String form(String payload) {
        return "payload=" + URLEncoder.encode(payload, StandardCharsets.UTF_8);
    }

    private static List<IncidentCommand> commands(TopicWatcher watcher, UUID incident) {
        return watcher.poll(Duration.ofMillis(200)).stream().filter(r -> r.key().equals(incident.toString()))
                .map(r -> {
                    try {
                        return IncidentFeed.MAPPER.readValue(r.value(), IncidentCommand.class);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).toList();
    }
}
