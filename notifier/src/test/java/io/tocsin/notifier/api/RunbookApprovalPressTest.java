package io.tocsin.notifier.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.tocsin.events.Priority;
import io.tocsin.events.RunbookCommand;
import io.tocsin.events.Topics;
import io.tocsin.notifier.Db;
import io.tocsin.notifier.Fakes;
import io.tocsin.notifier.IncidentFeed;
import io.tocsin.notifier.TestClock;
import io.tocsin.notifier.domain.SlackSignature;
import io.tocsin.notifier.metrics.NotifierMetrics;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;
import io.tocsin.testsupport.TopicWatcher;

/** Approve and Deny on a runbook approval request: signed presses become runbook commands, once per press. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(Fakes.class)
class RunbookApprovalPressTest {

    private static final SlackSignature SLACK = new SlackSignature(Fakes.SIGNING_SECRET);

    @InjectKafkaBroker
    KafkaBroker broker;

    IncidentFeed feed;

    @BeforeEach
    void feed() {
        feed = IncidentFeed.to(broker.bootstrapServers());
    }

    @Test
    void anApprovePressBecomesOneRunbookCommandAndTheButtonsGiveWayToWhoApproved() throws Exception {
        UUID incident = knownIncident();
        UUID run = UUID.randomUUID();
        String body = form(press("runbook.approve", run + ":2", "runbook-approval:" + incident, "UAPPROVE01",
                "1712345680.000001"));
        try (TopicWatcher commands = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.RUNBOOK_COMMANDS, 3)) {
            signed(body, now()).post("/slack/interactions").then().statusCode(200);
            // Slack may deliver the same press twice: the same command id, applied once by the runbook engine.
            signed(body, now()).post("/slack/interactions").then().statusCode(200);

            List<RunbookCommand> seen = await().atMost(Duration.ofSeconds(20))
                    .until(() -> commands(commands, incident), l -> l.size() == 2);
            RunbookCommand command = seen.get(0);
            assertThat(command.action()).isEqualTo(RunbookCommand.Action.APPROVE);
            assertThat(command.runId()).isEqualTo(run);
            assertThat(command.stepIndex()).isEqualTo(2);
            assertThat(command.incidentId()).isEqualTo(incident);
            assertThat(command.actor()).isEqualTo("slack:UAPPROVE01");
            assertThat(command.issuedAt()).isNotNull();
            assertThat(seen.get(1).commandId()).isEqualTo(command.commandId());
        }

        LoggedRequest replaced = await().atMost(Duration.ofSeconds(10))
                .until(() -> Fakes.requests("/slack/response", "UAPPROVE01"), l -> !l.isEmpty()).get(0);
        JsonNode json = IncidentFeed.MAPPER.readTree(replaced.getBodyAsString());
        assertThat(json.path("replace_original").asBoolean()).isTrue();
        // Sent, not taken: the runbook may refuse it (already answered, timed out), and the thread says which.
        assertThat(json.path("text").asText())
                .isEqualTo("Approval sent by <@UAPPROVE01>; the thread says when the runbook takes it");
        String blocks = json.path("blocks").toString();
        assertThat(blocks).contains("Fail over checkout?").contains("Approval sent by <@UAPPROVE01>")
                .doesNotContain("runbook.approve").doesNotContain("runbook-approval:");
    }

    @Test
    void aPressWhosePayloadLacksTheMessageBlocksKeepsTheQuestionFromTheMessageText() throws Exception {
        UUID incident = knownIncident();
        ObjectNode payload = (ObjectNode) IncidentFeed.MAPPER.readTree(press("runbook.approve",
                UUID.randomUUID() + ":1", "runbook-approval:" + incident, "UNOBLOCKS1", "2.1"));
        ((ObjectNode) payload.path("message")).remove("blocks");
        ((ObjectNode) payload.path("message")).put("text", ":raising_hand: Runbook *fail-over*: Fail over checkout?");
        signed(form(payload.toString()), now()).post("/slack/interactions").then().statusCode(200);

        LoggedRequest replaced = await().atMost(Duration.ofSeconds(10))
                .until(() -> Fakes.requests("/slack/response", "UNOBLOCKS1"), l -> !l.isEmpty()).get(0);
        JsonNode json = IncidentFeed.MAPPER.readTree(replaced.getBodyAsString());
        assertThat(json.path("replace_original").asBoolean()).isTrue();
        JsonNode blocks = json.path("blocks");
        assertThat(blocks).hasSize(2);
        assertThat(blocks.path(0).at("/text/text").asText())
                .isEqualTo(":raising_hand: Runbook *fail-over*: Fail over checkout?");
        assertThat(blocks.path(1).at("/text/text").asText())
                .isEqualTo("Approval sent by <@UNOBLOCKS1>; the thread says when the runbook takes it");
    }

    @Test
    void aPressKafkaHasIsAnswered200EvenWhenWhatFollowsItFails() throws Exception {
        UUID incident = knownIncident();
        // What runs once Kafka has the command (the count, then the buttons' replacement) fails here.
        QuarkusMock.installMockForType(new NotifierMetrics(new SimpleMeterRegistry()) {
            @Override
            public void interaction(String outcome) {
                if ("runbook-command".equals(outcome)) {
                    throw new IllegalStateException("broken after Kafka had it");
                }
                super.interaction(outcome);
            }
        }, NotifierMetrics.class);
        UUID run = UUID.randomUUID();
        String body = form(press("runbook.approve", run + ":3", "runbook-approval:" + incident, "UAFTERKAF1", "2.2"));
        int unconfirmed = Fakes.requests("/slack/response", "did not confirm").size();
        try (TopicWatcher commands = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.RUNBOOK_COMMANDS, 3)) {
            // Not a 503 "did not confirm": that would make people press again, which is a new command.
            signed(body, now()).post("/slack/interactions").then().statusCode(200);
            RunbookCommand command = await().atMost(Duration.ofSeconds(20))
                    .until(() -> commands(commands, incident), l -> !l.isEmpty()).get(0);
            assertThat(command.runId()).isEqualTo(run);
        }
        assertThat(Fakes.requests("/slack/response", "did not confirm")).as("no ephemeral word of a failure")
                .hasSize(unconfirmed);
    }

    @Test
    void aDenyPressBecomesADenyAndSaysWhoDenied() throws Exception {
        UUID incident = knownIncident();
        UUID run = UUID.randomUUID();
        String body = form(press("runbook.deny", run + ":0", "runbook-approval:" + incident, "UDENY00001", "1.5"));
        try (TopicWatcher commands = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.RUNBOOK_COMMANDS, 3)) {
            signed(body, now()).post("/slack/interactions").then().statusCode(200);
            RunbookCommand command = await().atMost(Duration.ofSeconds(20))
                    .until(() -> commands(commands, incident), l -> !l.isEmpty()).get(0);
            assertThat(command.action()).isEqualTo(RunbookCommand.Action.DENY);
            assertThat(command.stepIndex()).isZero();
        }
        LoggedRequest replaced = await().atMost(Duration.ofSeconds(10))
                .until(() -> Fakes.requests("/slack/response", "UDENY00001"), l -> !l.isEmpty()).get(0);
        assertThat(IncidentFeed.MAPPER.readTree(replaced.getBodyAsString()).path("text").asText())
                .isEqualTo("Denial sent by <@UDENY00001>; the thread says when the runbook takes it");
    }

    @Test
    void aMalformedButtonGetsAPoliteEphemeralReplyAndAForgedOneIsRefused() throws Exception {
        UUID incident = knownIncident();
        signed(form(press("runbook.approve", "not-a-run", "runbook-approval:" + incident, "UMALFORM01", "1.6")),
                now()).post("/slack/interactions").then().statusCode(200);
        signed(form(press("runbook.approve", UUID.randomUUID() + ":1", "incident-actions", "UMALFORM02", "1.7")),
                now()).post("/slack/interactions").then().statusCode(200);
        // An ephemeral reply names no user: the two malformed presses are the only ones answered with these words.
        List<LoggedRequest> replies = await().atMost(Duration.ofSeconds(10)).until(
                () -> Fakes.requests("/slack/response", "cannot read that approval button"), l -> l.size() == 2);
        for (LoggedRequest reply : replies) {
            JsonNode json = IncidentFeed.MAPPER.readTree(reply.getBodyAsString());
            assertThat(json.path("response_type").asText()).isEqualTo("ephemeral");
            assertThat(json.path("replace_original").asBoolean(true)).isFalse();
        }

        UUID unknown = UUID.randomUUID();
        signed(form(press("runbook.approve", UUID.randomUUID() + ":1", "runbook-approval:" + unknown, "UUNKNOWN01",
                "1.8")), now()).post("/slack/interactions").then().statusCode(200);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Fakes.requests("/slack/response", "does not know incident " + unknown), l -> l.size() == 1);

        String body = form(press("runbook.approve", UUID.randomUUID() + ":1", "runbook-approval:" + incident,
                "UFORGED001", "1.9"));
        given().contentType("application/x-www-form-urlencoded").header("X-Slack-Request-Timestamp", now())
                .header("X-Slack-Signature", "v0=" + "0".repeat(64)).body(body)
                .post("/slack/interactions").then().statusCode(401);
        String ts = Long.toString(now());
        given().contentType("application/x-www-form-urlencoded").header("X-Slack-Request-Timestamp", ts)
                .header("X-Slack-Signature", SLACK.sign(ts, body.getBytes(StandardCharsets.UTF_8)))
                .body(body.replace("runbook.approve", "runbook.denyy")).post("/slack/interactions").then()
                .statusCode(401);
    }

    private UUID knownIncident() {
        UUID incident = UUID.randomUUID();
        feed.send(IncidentFeed.opened(incident, Priority.P2, "Approvable", Map.of("alertname", "A"), Map.of(),
                IncidentFeed.slack("#approvals")));
        await().atMost(Duration.ofSeconds(30)).until(() -> !Db
                .column("SELECT 1 FROM notifier.incident_view WHERE incident_id = ?", incident).isEmpty());
        return incident;
    }

    private static long now() {
        return TestClock.CLOCK.instant().getEpochSecond();
    }

    private static RequestSpecification signed(String body, long timestamp) {
        String ts = Long.toString(timestamp);
        return given().contentType("application/x-www-form-urlencoded").header("X-Slack-Request-Timestamp", ts)
                .header("X-Slack-Signature", SLACK.sign(ts, body.getBytes(StandardCharsets.UTF_8))).body(body);
    }

    /** A block_actions payload as Slack sends it for a press in a thread reply, with the message it was on. */
    private static String press(String actionId, String value, String blockId, String user, String actionTs) {
        String buttons = "{\"type\":\"actions\",\"block_id\":\"" + blockId + "\",\"elements\":["
                + "{\"type\":\"button\",\"action_id\":\"runbook.approve\",\"text\":{\"type\":\"plain_text\","
                + "\"text\":\"Approve\"},\"value\":\"" + value + "\",\"style\":\"primary\"},"
                + "{\"type\":\"button\",\"action_id\":\"runbook.deny\",\"text\":{\"type\":\"plain_text\","
                + "\"text\":\"Deny\"},\"value\":\"" + value + "\",\"style\":\"danger\"}]}";
        String message = "{\"type\":\"message\",\"ts\":\"1712345690.000200\",\"thread_ts\":\"1712345678.000100\","
                + "\"text\":\"Approval needed\",\"blocks\":[{\"type\":\"section\",\"block_id\":\"prompt\","
                + "\"text\":{\"type\":\"mrkdwn\",\"text\":\"Approval needed: Fail over checkout?\",\"verbatim\":true}},"
                + buttons + "]}";
        return "{\"type\":\"block_actions\",\"team\":{\"id\":\"T0001\",\"domain\":\"acme\"},"
                + "\"user\":{\"id\":\"" + user + "\",\"username\":\"ana\",\"team_id\":\"T0001\"},"
                + "\"api_app_id\":\"A0001\",\"token\":\"legacy\",\"trigger_id\":\"1.2.3\","
                + "\"container\":{\"type\":\"message\",\"message_ts\":\"1712345690.000200\","
                + "\"channel_id\":\"C0TOCSIN01\",\"thread_ts\":\"1712345678.000100\"},"
                + "\"channel\":{\"id\":\"C0TOCSIN01\",\"name\":\"approvals\"},"
                + "\"message\":" + message + ","
                + "\"response_url\":\"" + Fakes.baseUrl() + "/slack/response\","
                + "\"actions\":[{\"type\":\"button\",\"action_id\":\"" + actionId + "\",\"block_id\":\"" + blockId
                + "\",\"value\":\"" + value + "\",\"action_ts\":\"" + actionTs + "\"}]}";
    }

    private static String form(String payload) {
        return "payload=" + URLEncoder.encode(payload, StandardCharsets.UTF_8);
    }

    private static List<RunbookCommand> commands(TopicWatcher watcher, UUID incident) {
        return watcher.poll(Duration.ofMillis(200)).stream().filter(r -> r.key().equals(incident.toString()))
                .map(r -> {
                    try {
                        return IncidentFeed.MAPPER.readValue(r.value(), RunbookCommand.class);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).toList();
    }
}
