package io.tocsin.notifier.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import io.tocsin.events.NotificationRequested;
import io.tocsin.events.NotificationTarget;
import io.tocsin.events.NotificationTarget.Channel;
import io.tocsin.events.Priority;
import io.tocsin.events.RunbookEvent.Kind;
import io.tocsin.events.RunbookProgressed;
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
 * Runbook progress reaches an incident's subscribers: Slack thread replies by verbosity (normal here), an approval
 * request with its buttons, every event to webhooks, nothing to PagerDuty or e-mail.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(Fakes.class)
class RunbookRepliesTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    IncidentFeed feed;

    @BeforeEach
    void feed() {
        feed = IncidentFeed.to(broker.bootstrapServers());
    }

    @Test
    void stepsAndApprovalsReplyInTheThreadAndGoToWebhooksButNotToPagerDutyOrEmail() throws Exception {
        UUID incident = UUID.randomUUID();
        String routingKey = "R9" + UUID.randomUUID().toString().replace("-", "").substring(0, 30);
        feed.send(IncidentFeed.opened(incident, Priority.P1, "Checkout down", Map.of("alertname", "CheckoutDown"),
                Map.of(), IncidentFeed.slack("#runbooks <!subteam^S0RUNBK> @here")));
        NotificationRequested lastPage = IncidentFeed.page(incident, Priority.P1, "Checkout down",
                new NotificationTarget(Channel.EMAIL, "sre-" + incident.toString().substring(0, 8) + "@example.com"), 0);
        feed.send(IncidentFeed.page(incident, Priority.P1, "Checkout down",
                new NotificationTarget(Channel.WEBHOOK, Fakes.baseUrl() + "/hooks/ok"), 0),
                IncidentFeed.page(incident, Priority.P1, "Checkout down", new NotificationTarget(Channel.PAGERDUTY,
                        routingKey), 0),
                lastPage);
        await().atMost(Duration.ofSeconds(30)).until(() -> Seen.rootTs(incident) != null);
        await().atMost(Duration.ofSeconds(30)).until(() -> !Db
                .column("SELECT id FROM notifier.delivery WHERE event_id = ?", lastPage.eventId()).isEmpty());
        String version = Db.column("SELECT version FROM notifier.incident_view WHERE incident_id = ?", incident).get(0);

        UUID run = UUID.randomUUID();
        RunbookProgressed started = progress(incident, run, Kind.STEP_STARTED, "restart", 1, "calling checkout",
                false);
        RunbookProgressed failed = progress(incident, run, Kind.STEP_FAILED, "restart", 1, "failed: HTTP 503", false);
        RunbookProgressed approval = new RunbookProgressed(UUID.randomUUID(), incident, TestClock.CLOCK.instant(),
                run, "restart-checkout", Kind.APPROVAL_REQUESTED, "fail-over", 2, "approval",
                "runbook:restart-checkout", "Fail over checkout to eu-west?", false,
                TestClock.CLOCK.instant().plusSeconds(900));
        feed.send(started, failed, approval);

        List<LoggedRequest> replies = Seen.fastForwardUntil(() -> Seen.replies(incident), l -> l.size() >= 2);
        Map<String, String> failedReply = Fakes.form(replies.get(0));
        assertThat(failedReply.get("text")).as("a step's reply mentions nobody")
                .isEqualTo(":x: Runbook *restart-checkout*, step *restart*: failed: HTTP 503");
        assertThat(failedReply.get("reply_broadcast")).as("nor is it shown in the channel").isNotIn("1", "true");
        // An approval request is noticed: the target's mentions, as on a page, and shown in the channel too.
        Map<String, String> approvalReply = Fakes.form(replies.get(1));
        // The Slack SDK sends a true reply_broadcast as 1.
        assertThat(approvalReply.get("reply_broadcast")).isIn("1", "true");
        assertThat(approvalReply.get("text")).startsWith(":raising_hand: <!subteam^S0RUNBK> <!here> Runbook")
                .contains("fail-over");
        String blocks = Seen.blocks(replies.get(1));
        assertThat(blocks).contains("<!subteam^S0RUNBK> <!here> *Approval needed*").contains("Fail over checkout to eu-west?")
                .contains("\"runbook.approve\"").contains("\"runbook.deny\"").contains(run + ":2")
                .contains("runbook-approval:" + incident).contains("Times out at");

        assertThat(Db.column("SELECT action FROM notifier.delivery WHERE event_id = ? ORDER BY id", started.eventId()))
                .as("no reply for a step start at normal verbosity").containsExactly("webhook.post");
        for (RunbookProgressed event : List.of(failed, approval)) {
            assertThat(Db.column("SELECT action FROM notifier.delivery WHERE event_id = ? ORDER BY id",
                    event.eventId())).containsExactlyInAnyOrder("slack.reply", "webhook.post");
        }
        assertThat(Db.column("SELECT version FROM notifier.incident_view WHERE incident_id = ?", incident))
                .as("runbook progress does not rewrite the root message").containsExactly(version);

        List<LoggedRequest> hooks = await().atMost(Duration.ofSeconds(30)).until(
                () -> Fakes.requests("/hooks/ok", run.toString()), l -> l.size() == 3);
        for (LoggedRequest hook : hooks) {
            JsonNode body = IncidentFeed.MAPPER.readTree(hook.getBody());
            assertThat(body.at("/event/type").asText()).isEqualTo("runbook.progressed");
            assertThat(body.at("/incident/id").asText()).isEqualTo(incident.toString());
        }
        assertThat(hooks).extracting(h -> IncidentFeed.MAPPER.readTree(h.getBody()).at("/event/kind").asText())
                .containsExactlyInAnyOrder("step.started", "step.failed", "approval.requested");
    }

    private static RunbookProgressed progress(UUID incident, UUID run, Kind kind, String step, int index,
            String summary, boolean dryRun) {
        return new RunbookProgressed(UUID.randomUUID(), incident, TestClock.CLOCK.instant(), run, "restart-checkout",
                kind, step, index, "http", "runbook:restart-checkout", summary, dryRun, null);
    }
}
