package io.tocsin.notifier.channel;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
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

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tocsin.events.IncidentAcknowledged;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.NotificationOutcome;
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
import io.tocsin.testsupport.TopicWatcher;

/** PagerDuty Events API v2, against a fake that records each event: the bodies, the dedup key, and retries. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(Fakes.class)
class PagerDutyTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    IncidentFeed feed;

    @BeforeEach
    void feed() {
        feed = IncidentFeed.to(broker.bootstrapServers());
    }

    @Test
    void aPageTriggersThenAcknowledgeAndResolveFollowUnderTheSameDedupKey() {
        UUID incident = UUID.randomUUID();
        String key = "R0" + UUID.randomUUID().toString().replace("-", "").substring(0, 30);
        feed.send(IncidentFeed.opened(incident, Priority.P0, "Checkout is down",
                Map.of("alertname", "CheckoutDown", "service", "checkout", "instance", "checkout-1"),
                Map.of("summary", "5xx above 50%", "runbook_url", "https://runbooks.example.com/checkout"),
                target(key)));

        JsonNode trigger = await().atMost(Duration.ofSeconds(30)).until(() -> Seen.pagerDutyEvents(key), l -> l.size() == 1)
                .get(0);
        assertThat(trigger.path("routing_key").asText()).isEqualTo(key);
        assertThat(trigger.path("event_action").asText()).isEqualTo("trigger");
        assertThat(trigger.path("dedup_key").asText()).isEqualTo("tocsin-" + incident);
        assertThat(trigger.at("/payload/summary").asText()).isEqualTo("[P0] Checkout is down");
        assertThat(trigger.at("/payload/severity").asText()).isEqualTo("critical");
        assertThat(trigger.at("/payload/source").asText()).isEqualTo("checkout-1");
        assertThat(trigger.at("/payload/component").asText()).isEqualTo("checkout");
        assertThat(trigger.at("/payload/class").asText()).isEqualTo("CheckoutDown");
        assertThat(trigger.at("/payload/custom_details/labels/service").asText()).isEqualTo("checkout");
        assertThat(trigger.at("/payload/custom_details/annotations/summary").asText()).isEqualTo("5xx above 50%");
        assertThat(trigger.path("links").findValuesAsText("href")).contains(
                "https://tocsin.example.com/incidents/" + incident, "https://runbooks.example.com/checkout");

        feed.send(new IncidentAcknowledged(UUID.randomUUID(), incident, TestClock.CLOCK.instant(), "slack:U1"));
        feed.send(new IncidentResolved(UUID.randomUUID(), incident, TestClock.CLOCK.instant(), "slack:U1", null));
        List<JsonNode> all = await().atMost(Duration.ofSeconds(30)).until(() -> Seen.pagerDutyEvents(key), l -> l.size() == 3);
        assertThat(all).extracting(e -> e.path("event_action").asText())
                .containsExactly("trigger", "acknowledge", "resolve");
        assertThat(all).extracting(e -> e.path("dedup_key").asText()).containsOnly("tocsin-" + incident);
        assertThat(all.get(1).has("payload")).isFalse();
    }

    @Test
    void severityFollowsPriority() {
        assertThat(io.tocsin.notifier.channel.pagerduty.PagerDutyChannel.severity(Priority.P1)).isEqualTo("error");
        assertThat(io.tocsin.notifier.channel.pagerduty.PagerDutyChannel.severity(Priority.P2)).isEqualTo("warning");
        assertThat(io.tocsin.notifier.channel.pagerduty.PagerDutyChannel.severity(Priority.P3)).isEqualTo("info");
    }

    @Test
    void serverErrorsAreRetriedWithBackoffUntilPagerDutyTakesTheEvent() {
        String key = "R5" + UUID.randomUUID().toString().replace("-", "").substring(0, 30);
        stubSequence(key, 500, 503);
        UUID incident = UUID.randomUUID();
        try (TopicWatcher outcomes = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.NOTIFICATIONS, 3)) {
            feed.send(IncidentFeed.opened(incident, Priority.P1, "Flaky", Map.of("alertname", "F"), Map.of(),
                    target(key)));
            List<JsonNode> sent = Seen.fastForwardUntil(() -> Seen.pagerDutyEvents(key), l -> l.size() == 3);
            assertThat(sent).extracting(e -> e.path("dedup_key").asText()).containsOnly("tocsin-" + incident);
            List<NotificationOutcome> seen = await().atMost(Duration.ofSeconds(20))
                    .until(() -> Seen.outcomes(outcomes, incident), l -> l.size() >= 3);
            assertThat(seen).extracting(NotificationOutcome::status).containsExactly(
                    NotificationOutcome.Status.RETRYING, NotificationOutcome.Status.RETRYING,
                    NotificationOutcome.Status.DELIVERED);
            assertThat(seen).extracting(NotificationOutcome::attempt).containsExactly(1, 2, 3);
            assertThat(seen.get(0).detail()).contains("HTTP 500");
            // Backoff with jitter: the second wait is longer than half of twice the first.
            assertThat(seen.get(1).nextAttemptAt()).isAfter(seen.get(1).occurredAt().plusMillis(999));
        }
    }

    @Test
    void anAcknowledgeNeverOvertakesATriggerThatIsStillBeingRetried() {
        String key = "R7" + UUID.randomUUID().toString().replace("-", "").substring(0, 30);
        stubSequence(key, 503);
        UUID incident = UUID.randomUUID();
        feed.send(IncidentFeed.opened(incident, Priority.P1, "Ordered", Map.of("alertname", "O"), Map.of(),
                target(key)));
        await().atMost(Duration.ofSeconds(30)).until(() -> Seen.pagerDutyEvents(key).size() == 1);
        feed.send(new IncidentAcknowledged(UUID.randomUUID(), incident, TestClock.CLOCK.instant(), "slack:U1"));

        List<JsonNode> sent = Seen.fastForwardUntil(() -> Seen.pagerDutyEvents(key), l -> l.size() == 3);
        assertThat(sent).extracting(e -> e.path("event_action").asText())
                .containsExactly("trigger", "trigger", "acknowledge");
    }

    @Test
    void tooManyRequestsWaitsAsLongAsPagerDutySays() {
        String key = "R4" + UUID.randomUUID().toString().replace("-", "").substring(0, 30);
        Fakes.http().stubFor(post(urlEqualTo("/v2/enqueue")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.routing_key", equalTo(key)))
                .inScenario(key).whenScenarioStateIs("Started").willSetStateTo("after-429")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")));
        UUID incident = UUID.randomUUID();
        feed.send(IncidentFeed.opened(incident, Priority.P1, "Busy", Map.of("alertname", "B"), Map.of(), target(key)));
        await().atMost(Duration.ofSeconds(30)).until(() -> Seen.pagerDutyEvents(key).size() == 1);
        // The 429 must be on record before the clock moves: its Retry-After counts from when it is recorded. It gave
        // its attempt back (ADR 9), so the row is pending with none used.
        await().atMost(Duration.ofSeconds(10)).until(() -> Db.column("SELECT status FROM notifier.delivery "
                + "WHERE address = ? AND action = 'pagerduty.trigger' AND attempts = 0 AND last_error LIKE '%429%'",
                key), List.of("pending")::equals);

        TestClock.CLOCK.advance(Duration.ofSeconds(25));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> Seen.pagerDutyEvents(key).size() == 1);
        TestClock.CLOCK.advance(Duration.ofSeconds(6));
        await().atMost(Duration.ofSeconds(20)).until(() -> Seen.pagerDutyEvents(key).size() == 2);
    }

    @Test
    void aRefusedEventIsNotRetriedAndGoesToTheDeadLetterTopic() {
        String key = "R6" + UUID.randomUUID().toString().replace("-", "").substring(0, 30);
        Fakes.http().stubFor(post(urlEqualTo("/v2/enqueue")).atPriority(1)
                .withRequestBody(matchingJsonPath("$.routing_key", equalTo(key)))
                .willReturn(aResponse().withStatus(400).withBody(
                        "{\"status\":\"Unrecognized object\",\"message\":\"Event object format is unrecognized\"}")));
        UUID incident = UUID.randomUUID();
        try (TopicWatcher dead = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.NOTIFICATIONS_DLQ, 3)) {
            feed.send(IncidentFeed.opened(incident, Priority.P1, "Bad", Map.of("alertname", "B"), Map.of(),
                    target(key)));
            NotificationOutcome failed = await().atMost(Duration.ofSeconds(30))
                    .until(() -> Seen.outcomes(dead, incident), l -> !l.isEmpty()).get(0);
            assertThat(failed.status()).isEqualTo(NotificationOutcome.Status.FAILED);
            assertThat(failed.detail()).contains("HTTP 400");
            TestClock.CLOCK.advance(Duration.ofMinutes(10));
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> Seen.pagerDutyEvents(key).size() == 1);
        }
    }

    private static void stubSequence(String key, int... statuses) {
        String state = "Started";
        for (int i = 0; i < statuses.length; i++) {
            String next = "after-" + i;
            Fakes.http().stubFor(post(urlEqualTo("/v2/enqueue")).atPriority(1)
                    .withRequestBody(matchingJsonPath("$.routing_key", equalTo(key)))
                    .inScenario(key).whenScenarioStateIs(state).willSetStateTo(next)
                    .willReturn(aResponse().withStatus(statuses[i])));
            state = next;
        }
    }

    static NotificationTarget target(String routingKey) {
        return new NotificationTarget(NotificationTarget.Channel.PAGERDUTY, routingKey);
    }
}
