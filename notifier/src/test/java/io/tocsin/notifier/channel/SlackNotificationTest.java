package io.tocsin.notifier.channel;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
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
import io.tocsin.events.AlertAttached;
import io.tocsin.events.AlertsAttached;
import io.tocsin.events.IncidentAcknowledged;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.NoteAdded;
import io.tocsin.events.NotificationOutcome;
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
import io.tocsin.testsupport.TopicWatcher;

/** Slack, against a fake Web API that records every call: what is posted, updated and replied, and how often. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(Fakes.class)
class SlackNotificationTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    IncidentFeed feed;

    @BeforeEach
    void feed() {
        feed = IncidentFeed.to(broker.bootstrapServers());
    }

    @Test
    void aPagePostsOneRootMessageThatLaterEventsUpdateInPlaceAndAnswerInItsThread() throws Exception {
        UUID incident = UUID.randomUUID();
        try (TopicWatcher outcomes = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.NOTIFICATIONS, 3)) {
            feed.send(IncidentFeed.opened(incident, Priority.P1, "Disk almost full on db-1",
                    Map.of("alertname", "DiskFull", "service", "db", "instance", "db-1:9100"),
                    Map.of("summary", "Only 3% left on /var", "description", "It fills at 1 GB an hour.",
                            "runbook_url", "https://runbooks.example.com/disk"),
                    IncidentFeed.slack("#db-oncall <!subteam^S0SRE> @here")));

            LoggedRequest post = await().atMost(Duration.ofSeconds(30))
                    .until(() -> Seen.posts(incident), list -> list.size() == 1).get(0);
            assertThat(post.getHeader("Authorization")).isEqualTo("Bearer " + Fakes.BOT_TOKEN);
            Map<String, String> form = Fakes.form(post);
            assertThat(form).containsEntry("channel", "#db-oncall").containsEntry("unfurl_links", "0");
            assertThat(form.get("text")).contains("[P1]").contains("Disk almost full on db-1");
            JsonNode blocks = IncidentFeed.MAPPER.readTree(form.get("blocks"));
            String shown = blocks.toString();
            assertThat(shown).contains("<!subteam^S0SRE> <!here>").contains("*P1*").contains("Disk almost full on db-1")
                    .contains("Only 3% left on /var").contains("It fills at 1 GB an hour.")
                    .contains("<https://runbooks.example.com/disk|Runbook>")
                    .contains("<https://tocsin.example.com/incidents/" + incident + "|Incident>")
                    .contains("Open, not acknowledged");
            JsonNode actions = blocks.findParent("block_id");
            assertThat(actions.path("block_id").asText()).isEqualTo("incident-actions");
            assertThat(actions.path("elements").findValuesAsText("action_id"))
                    .containsExactly("incident.ack", "incident.resolve", "incident.escalate", "incident.snooze");
            assertThat(actions.path("elements").get(0).path("value").asText()).isEqualTo(incident.toString());

            TestClock.CLOCK.advance(Duration.ofSeconds(2));
            feed.send(new IncidentAcknowledged(UUID.randomUUID(), incident, TestClock.CLOCK.instant(),
                    "slack:U024BE7LH"));

            List<LoggedRequest> updates = Seen.fastForwardUntil(() -> Seen.updates(incident), list -> list.stream()
                    .anyMatch(update -> Seen.blocks(update).contains("Acknowledged by <@U024BE7LH>")));
            Map<String, String> update = Fakes.form(updates.get(updates.size() - 1));
            assertThat(update).containsEntry("channel", "C0TOCSIN01").containsEntry("ts", Seen.rootTs(incident));
            assertThat(Seen.blocks(updates.get(updates.size() - 1))).contains("incident.unack")
                    .doesNotContain("\"incident.ack\"");
            List<LoggedRequest> replies = Seen.fastForwardUntil(() -> Seen.replies(incident), list -> !list.isEmpty());
            assertThat(Fakes.form(replies.get(0))).containsEntry("channel", "C0TOCSIN01")
                    .containsEntry("thread_ts", Seen.rootTs(incident));
            assertThat(Fakes.form(replies.get(0)).get("text")).contains("Acknowledged by <@U024BE7LH>");

            List<NotificationOutcome> seen = await().atMost(Duration.ofSeconds(20))
                    .until(() -> Seen.outcomes(outcomes, incident), list -> list.size() >= 2);
            assertThat(seen).extracting(NotificationOutcome::action).contains("slack.post", "slack.reply");
            assertThat(seen).extracting(NotificationOutcome::status).containsOnly(NotificationOutcome.Status.DELIVERED);
        }
    }

    @Test
    void resolvingRemovesTheButtonsAndSaysWhoResolvedIt() {
        UUID incident = pageAndAwaitRoot("#payments");
        TestClock.CLOCK.advance(Duration.ofSeconds(2));
        feed.send(new IncidentResolved(UUID.randomUUID(), incident, TestClock.CLOCK.instant(), "api:oncall",
                "rolled back"));

        List<LoggedRequest> updates = Seen.fastForwardUntil(() -> Seen.updates(incident),
                list -> list.stream().anyMatch(u -> Seen.blocks(u).contains("Resolved by oncall (API)")));
        assertThat(Seen.blocks(updates.get(updates.size() - 1))).doesNotContain("incident-actions");
        List<LoggedRequest> replies = Seen.fastForwardUntil(() -> Seen.replies(incident), list -> !list.isEmpty());
        assertThat(Fakes.form(replies.get(0)).get("text")).contains("Resolved by oncall (API): rolled back");
    }

    @Test
    void aBurstOfAlertsBecomesOneUpdateInsteadOfAFlood() {
        UUID incident = pageAndAwaitRoot("#storm");
        // Twenty one by one, ten attached together (escalation's bulk intake publishes them as one record).
        List<AlertAttached> together = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            AlertAttached attached = new AlertAttached(UUID.randomUUID(), incident, TestClock.CLOCK.instant(),
                    "fp-" + i, Map.of("alertname", "Storm", "pod", "web-" + i), Map.of("summary", "pod down"),
                    TestClock.CLOCK.instant(), null, Priority.P2);
            if (i < 20) {
                feed.send(attached);
            } else {
                together.add(attached);
            }
        }
        feed.send(AlertsAttached.of(UUID.randomUUID(), incident, TestClock.CLOCK.instant(), together));
        await().atMost(Duration.ofSeconds(30)).until(() -> Db.column(
                "SELECT alerts FROM notifier.incident_view WHERE incident_id = ?", incident), v -> v.equals(List.of("31")));

        // Time moves on until the rewrite goes (the channel's pace, and a Slack breaker an earlier test may have left
        // open): once it shows every alert, nothing is stale, so there is one rewrite however far time moved.
        Seen.fastForwardUntil(() -> Seen.updates(incident), list -> !list.isEmpty());
        assertThat(Seen.updates(incident)).hasSize(1);
        assertThat(Seen.blocks(Seen.updates(incident).get(0))).contains("31 firing (+30 alerts since it opened)");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> Seen.updates(incident).size() == 1 && Seen.replies(incident).isEmpty());
    }

    @Test
    void aRedeliveredEventPostsNothingTwice() {
        UUID incident = UUID.randomUUID();
        IncidentEvent[] events = IncidentFeed.opened(incident, Priority.P2, "Queue backlog", Map.of("alertname",
                "QueueBacklog"), Map.of(), IncidentFeed.slack("#queues"));
        feed.send(events);
        await().atMost(Duration.ofSeconds(30)).until(() -> Seen.posts(incident).size() == 1);

        feed.send(events);
        TestClock.CLOCK.advance(Duration.ofSeconds(2));
        feed.send(new NoteAdded(UUID.randomUUID(), incident, TestClock.CLOCK.instant(), "api:oncall", "looking"));
        // The note comes after the repeats on the incident's partition: once it is answered, they were read.
        Seen.fastForwardUntil(() -> Seen.replies(incident), list -> !list.isEmpty());
        assertThat(Seen.posts(incident)).hasSize(1);
        assertThat(Seen.replies(incident)).hasSize(1);
    }

    @Test
    void labelsCannotMentionPeopleOrInjectLinks() throws Exception {
        UUID incident = UUID.randomUUID();
        feed.send(IncidentFeed.opened(incident, Priority.P3, "<!channel> *bold* @here",
                Map.of("alertname", "Evil", "team", "<@U999|boss> <https://evil.example|click>"),
                Map.of("summary", "@everyone `code` <!subteam^S1>"), IncidentFeed.slack("#evil")));
        LoggedRequest post = await().atMost(Duration.ofSeconds(30))
                .until(() -> Seen.posts(incident), list -> list.size() == 1).get(0);
        String blocks = IncidentFeed.MAPPER.readTree(Fakes.form(post).get("blocks")).toString();
        assertThat(blocks).doesNotContain("<!channel>").doesNotContain("<@U999").doesNotContain("<https://evil")
                .doesNotContain("<!subteam^S1>").doesNotContain("@here").doesNotContain("@everyone")
                .contains("&lt;!channel&gt;").contains("\"verbatim\":true");
        assertThat(Fakes.form(post).get("text")).doesNotContain("<!channel>");
    }

    @Test
    void slackSaying429IsHonouredAndTheMessageStillGoesOutOnce() {
        Fakes.http().stubFor(post(urlEqualTo("/api/chat.postMessage")).atPriority(1)
                .withRequestBody(containing("channel=%23throttled")).inScenario("throttled")
                .whenScenarioStateIs("Started").willSetStateTo("once")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "20")));
        UUID incident = UUID.randomUUID();
        try (TopicWatcher outcomes = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.NOTIFICATIONS, 3)) {
            feed.send(IncidentFeed.opened(incident, Priority.P1, "Throttled", Map.of("alertname", "T"), Map.of(),
                    IncidentFeed.slack("#throttled")));
            await().atMost(Duration.ofSeconds(30)).until(() -> Seen.posts(incident).size() == 1);
            NotificationOutcome retrying = await().atMost(Duration.ofSeconds(20))
                    .until(() -> Seen.outcomes(outcomes, incident), list -> !list.isEmpty()).get(0);
            assertThat(retrying.status()).isEqualTo(NotificationOutcome.Status.RETRYING);
            assertThat(retrying.detail()).contains("HTTP 429").contains("20s");
            assertThat(retrying.nextAttemptAt()).isEqualTo(retrying.occurredAt().plusSeconds(20));

            TestClock.CLOCK.advance(Duration.ofSeconds(10));
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> Seen.posts(incident).size() == 1);
            TestClock.CLOCK.advance(Duration.ofSeconds(11));
            await().atMost(Duration.ofSeconds(20)).until(() -> Seen.posts(incident).size() == 2);
            await().atMost(Duration.ofSeconds(20)).until(() -> Seen.outcomes(outcomes, incident).stream()
                    .anyMatch(o -> o.status() == NotificationOutcome.Status.DELIVERED));
        }
    }

    @Test
    void aFinalSlackErrorFailsTheDeliveryToTheDeadLetterTopic() {
        Fakes.http().stubFor(post(urlEqualTo("/api/chat.postMessage")).atPriority(1)
                .withRequestBody(containing("channel=%23gone"))
                .willReturn(okJson("{\"ok\":false,\"error\":\"channel_not_found\"}")));
        UUID incident = UUID.randomUUID();
        try (TopicWatcher dead = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.NOTIFICATIONS_DLQ, 3)) {
            feed.send(IncidentFeed.opened(incident, Priority.P1, "Gone", Map.of("alertname", "G"), Map.of(),
                    IncidentFeed.slack("#gone")));
            NotificationOutcome failed = await().atMost(Duration.ofSeconds(30))
                    .until(() -> Seen.outcomes(dead, incident), list -> !list.isEmpty()).get(0);
            assertThat(failed.status()).isEqualTo(NotificationOutcome.Status.FAILED);
            assertThat(failed.detail()).contains("channel_not_found");
            assertThat(Seen.posts(incident)).hasSize(1);
            assertThat(Db.column("SELECT status FROM notifier.delivery WHERE incident_id = ?", incident))
                    .containsExactly("failed");
        }
    }

    private UUID pageAndAwaitRoot(String channel) {
        UUID incident = UUID.randomUUID();
        feed.send(IncidentFeed.opened(incident, Priority.P2, "Something on " + channel, Map.of("alertname", "X"),
                Map.of(), IncidentFeed.slack(channel)));
        await().atMost(Duration.ofSeconds(30)).until(() -> Seen.posts(incident).size() == 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> Seen.rootTs(incident) != null);
        return incident;
    }
}
