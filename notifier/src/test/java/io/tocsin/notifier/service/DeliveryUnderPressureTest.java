package io.tocsin.notifier.service;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tocsin.events.IncidentAcknowledged;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.NoteAdded;
import io.tocsin.events.NotificationTarget;
import io.tocsin.events.Priority;
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
 * Issues 11 and 12: nothing stalls the pager. A receiver that is down with hundreds of deliveries queued behind it, a
 * storm of low-priority deliveries, and Slack and PagerDuty answering 429 and 5xx in bursts: every page still goes
 * out, once, in order per target, and the urgent ones first.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(Fakes.class)
class DeliveryUnderPressureTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    IncidentFeed feed;

    @BeforeEach
    void feed() {
        feed = IncidentFeed.to(broker.bootstrapServers());
    }

    @Test
    void aDownWebhookWithHundredsOfQueuedFollowUpsDoesNotHoldBackAPageForAnotherIncident() {
        String path = "/hooks/down-" + UUID.randomUUID();
        Fakes.http().stubFor(post(urlEqualTo(path)).atPriority(1).willReturn(aResponse().withStatus(500)));
        NotificationTarget hook = new NotificationTarget(NotificationTarget.Channel.WEBHOOK, Fakes.baseUrl() + path);
        UUID stuck = UUID.randomUUID();
        // As urgent as the page that must get through: only the claim itself can keep the queue from crowding it out.
        feed.send(IncidentFeed.opened(stuck, Priority.P0, "Stuck", Map.of("alertname", "Stuck"), Map.of(), hook));
        await().atMost(Duration.ofSeconds(30)).until(() -> Db.column("SELECT status FROM notifier.delivery "
                + "WHERE incident_id = ? AND attempts = 1", stuck), List.of("pending")::equals);
        for (int i = 0; i < 200; i++) {
            feed.send(new NoteAdded(UUID.randomUUID(), stuck, TestClock.CLOCK.instant(), "api:oncall",
                    String.format("note-%03d", i)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Db.column("SELECT count(*) FROM notifier.delivery "
                + "WHERE incident_id = ? AND status = 'pending' AND attempts = 0", stuck), List.of("200")::equals);

        UUID urgent = UUID.randomUUID();
        String key = "RH" + UUID.randomUUID().toString().replace("-", "").substring(0, 30);
        feed.send(IncidentFeed.opened(urgent, Priority.P0, "Checkout down", Map.of("alertname", "CheckoutDown"),
                Map.of(), IncidentFeed.slack("#hol-checkout")));
        feed.send(IncidentFeed.page(urgent, Priority.P0, "Checkout down",
                new NotificationTarget(NotificationTarget.Channel.PAGERDUTY, key), 0));
        // A bound, not a speed test: on the old claim the page never went out while the queue stood.
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Seen.posts(urgent).size() == 1 && Seen.pagerDutyEvents(key).size() == 1);
        assertThat(Fakes.requests(path, stuck.toString())).as("no follow-up overtakes the page still retried")
                .hasSize(1);

        // The receiver comes back: the queue drains, in the order the events happened.
        Fakes.http().stubFor(post(urlEqualTo(path)).atPriority(1).willReturn(aResponse().withStatus(200)));
        fastForwardUntil(() -> Db.column("SELECT count(*) FROM notifier.delivery WHERE incident_id = ? "
                + "AND status = 'delivered'", stuck), List.of("201")::equals);
        List<String> notes = served(path).stream().filter(e -> e.getResponse().getStatus() == 200)
                .map(e -> json(e.getRequest().getBodyAsString()).at("/event/text").asText("")).toList();
        List<String> expected = new ArrayList<>(List.of(""));
        for (int i = 0; i < 200; i++) {
            expected.add(String.format("note-%03d", i));
        }
        assertThat(notes).containsExactlyElementsOf(expected);
    }

    @Test
    void aSlackChannelBusyWithOneIncidentsRepliesCarriesAnotherIncidentsFirstMessageNext() {
        String channel = "#busy-" + UUID.randomUUID().toString().substring(0, 8);
        UUID chatty = UUID.randomUUID();
        feed.send(IncidentFeed.opened(chatty, Priority.P1, "Chatty", Map.of("alertname", "Chatty"), Map.of(),
                IncidentFeed.slack(channel)));
        await().atMost(Duration.ofSeconds(30)).until(() -> Seen.rootTs(chatty) != null);
        for (int i = 0; i < 20; i++) {
            feed.send(new NoteAdded(UUID.randomUUID(), chatty, TestClock.CLOCK.instant(), "api:oncall",
                    String.format("chatter-%03d", i)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> Db.column("SELECT count(*) FROM notifier.delivery "
                + "WHERE incident_id = ? AND status = 'pending'", chatty), List.of("20")::equals);

        // Same priority, one channel paced at a message a second: only the claim order decides who gets each slot.
        UUID fresh = UUID.randomUUID();
        feed.send(IncidentFeed.opened(fresh, Priority.P1, "Fresh", Map.of("alertname", "Fresh"), Map.of(),
                IncidentFeed.slack(channel)));
        await().atMost(Duration.ofSeconds(30)).until(() -> Db.column("SELECT count(*) FROM notifier.delivery "
                + "WHERE incident_id = ?", fresh), List.of("1")::equals);
        fastForwardUntil(() -> Seen.posts(fresh).size(), posts -> posts == 1);
        long repliesFirst = Db.column("SELECT count(*) FROM notifier.delivery WHERE incident_id = ? "
                + "AND status = 'delivered' AND action = 'slack.reply'", chatty).stream().mapToLong(Long::parseLong)
                .sum();
        // Before, every reply's age won the slot: the new incident's message waited for all twenty.
        assertThat(repliesFirst).as("replies of the other incident sent before the new incident's first message")
                .isLessThanOrEqualTo(1);
    }

    @Test
    void aP0IsClaimedInTheFirstRoundThoughManyOlderP3DeliveriesAreDue() throws Exception {
        // A receiver that takes its time, with threads enough to hold every claimed call open at once.
        WireMockServer slow = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(160));
        slow.start();
        try {
            slow.stubFor(post(urlPathEqualTo("/slow")).willReturn(aResponse().withStatus(200).withFixedDelay(3000)));
            String key = "RP" + UUID.randomUUID().toString().replace("-", "").substring(0, 30);
            UUID lowly = UUID.randomUUID();
            UUID urgent = UUID.randomUUID();
            Instant due = TestClock.CLOCK.instant().minusSeconds(1);
            try (Connection db = Db.connect()) {
                // One transaction: the first round that sees any of them sees all of them.
                db.setAutoCommit(false);
                incidentView(db, lowly, "P3", due);
                incidentView(db, urgent, "P0", due);
                for (int i = 0; i < 100; i++) {
                    delivery(db, lowly, "webhook", "http://127.0.0.1:" + slow.port() + "/slow?n=" + i,
                            "webhook.post", 3, due);
                }
                delivery(db, urgent, "pagerduty", key, "pagerduty.trigger", 0, due);
                db.commit();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> Db.column("SELECT status FROM notifier.delivery "
                    + "WHERE incident_id = ?", urgent), List.of("delivered")::equals);
            // Claimed with the first 63 of the storm, not after them: none of those has come back yet.
            assertThat(Db.column("SELECT count(*) FROM notifier.delivery WHERE incident_id = ? AND status = "
                    + "'delivered'", lowly)).containsExactly("0");
            assertThat(Seen.pagerDutyEvents(key)).hasSize(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> Db.column("SELECT count(*) FROM notifier.delivery "
                    + "WHERE incident_id = ? AND status = 'delivered'", lowly), List.of("100")::equals);
        } finally {
            slow.stop();
        }
    }

    @Test
    void tooManyRequestsMoreTimesThanMaxAttemptsNeverUseUpAPage() {
        String key = "RT" + UUID.randomUUID().toString().replace("-", "").substring(0, 30);
        List<ResponseDefinitionBuilder> answers = new ArrayList<>();
        // maxAttempts is 12: thirteen 429s, then a 5xx that must still leave attempts to spare, then PagerDuty takes it.
        for (int i = 0; i < 13; i++) {
            answers.add(aResponse().withStatus(429).withHeader("Retry-After", "1"));
        }
        answers.add(aResponse().withStatus(500));
        sequence(() -> post(urlEqualTo("/v2/enqueue"))
                .withRequestBody(matchingJsonPath("$.routing_key", equalTo(key))), key, answers);
        UUID incident = UUID.randomUUID();
        feed.send(IncidentFeed.opened(incident, Priority.P0, "Throttled page", Map.of("alertname", "T"), Map.of(),
                new NotificationTarget(NotificationTarget.Channel.PAGERDUTY, key)));

        fastForwardUntil(() -> Db.column("SELECT status FROM notifier.delivery WHERE incident_id = ?", incident),
                rows -> rows.equals(List.of("delivered")) || rows.equals(List.of("failed")));
        assertThat(Db.column("SELECT status || '/' || attempts FROM notifier.delivery WHERE incident_id = ?",
                incident)).as("the 429s counted no attempt; the 500 and the 202 did").containsExactly("delivered/2");
        List<Integer> statuses = served("/v2/enqueue").stream()
                .filter(e -> e.getRequest().getBodyAsString().contains(key)).map(e -> e.getResponse().getStatus())
                .toList();
        assertThat(statuses).hasSize(15).endsWith(500, 202);
        assertThat(statuses.stream().filter(s -> s == 202)).hasSize(1);
    }

    @Test
    void burstsOf429And5xxFromSlackAndPagerDutyDeliverEveryPageOnceAndInOrder() {
        int incidents = 3;
        List<UUID> ids = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<String> actors = new ArrayList<>();
        for (int n = 0; n < incidents; n++) {
            String tag = UUID.randomUUID().toString().substring(0, 8);
            ids.add(UUID.randomUUID());
            keys.add("RB" + UUID.randomUUID().toString().replace("-", "").substring(0, 30));
            actors.add("oncall" + tag);
            String key = keys.get(n);
            sequence(() -> post(urlEqualTo("/v2/enqueue"))
                    .withRequestBody(matchingJsonPath("$.routing_key", equalTo(key))), key, List.of(tooMany(),
                            status(503), accepted(), tooMany(), tooMany(), status(500), accepted(), status(502),
                            tooMany(), accepted()));
            sequence(() -> post(urlEqualTo("/api/chat.postMessage"))
                    .withRequestBody(containing("channel=%23burst-" + tag)), "root-" + tag,
                    List.of(tooMany(), status(503), tooMany()));
            String actor = actors.get(n);
            sequence(() -> post(urlEqualTo("/api/chat.postMessage")).withRequestBody(containing("thread_ts"))
                    .withRequestBody(containing(actor)), "reply-" + tag,
                    List.of(status(503), tooMany(), okJson("{\"ok\":true,\"channel\":\"C0TOCSIN01\","
                            + "\"ts\":\"1712345678.0001" + n + "\"}"), tooMany(), status(500)));
            feed.send(IncidentFeed.opened(ids.get(n), Priority.P1, "Burst " + n, Map.of("alertname", "Burst"),
                    Map.of(), IncidentFeed.slack("#burst-" + tag)));
            feed.send(IncidentFeed.page(ids.get(n), Priority.P1, "Burst " + n,
                    new NotificationTarget(NotificationTarget.Channel.PAGERDUTY, keys.get(n)), 0));
            feed.send(new IncidentAcknowledged(UUID.randomUUID(), ids.get(n), TestClock.CLOCK.instant(),
                    "api:" + actors.get(n)));
            feed.send(new IncidentResolved(UUID.randomUUID(), ids.get(n), TestClock.CLOCK.instant(),
                    "api:" + actors.get(n), null));
        }
        fastForwardUntil(() -> Db.column("SELECT count(*) FROM notifier.delivery WHERE incident_id IN (?, ?, ?) "
                + "AND status <> 'delivered'", ids.toArray()), List.of("0")::equals);
        // Per incident: the Slack post and two replies, the PagerDuty trigger, acknowledge and resolve.
        assertThat(Db.column("SELECT count(*) FROM notifier.delivery WHERE incident_id IN (?, ?, ?)",
                ids.toArray())).containsExactly(Integer.toString(incidents * 6));

        for (int n = 0; n < incidents; n++) {
            String key = keys.get(n);
            List<ServeEvent> pagerDuty = served("/v2/enqueue").stream()
                    .filter(e -> e.getRequest().getBodyAsString().contains(key)).toList();
            List<String> tried = pagerDuty.stream().map(e -> json(e.getRequest().getBodyAsString())
                    .path("event_action").asText()).toList();
            assertThat(tried).as("every attempt to one routing key in the order of the events")
                    .isSortedAccordingTo((a, b) -> order(a) - order(b));
            assertThat(pagerDuty.stream().filter(e -> e.getResponse().getStatus() == 202)
                    .map(e -> json(e.getRequest().getBodyAsString()).path("event_action").asText()))
                    .containsExactly("trigger", "acknowledge", "resolve");

            String incident = ids.get(n).toString();
            List<ServeEvent> slack = served("/api/chat.postMessage");
            assertThat(slack.stream().filter(e -> e.getResponse().getStatus() == 200)
                    .filter(e -> !e.getRequest().getBodyAsString().contains("thread_ts"))
                    .filter(e -> e.getRequest().getBodyAsString().contains(incident))).as("one root message")
                    .hasSize(1);
            String actor = actors.get(n);
            assertThat(slack.stream().filter(e -> e.getResponse().getStatus() == 200)
                    .filter(e -> e.getRequest().getBodyAsString().contains("thread_ts"))
                    .filter(e -> e.getRequest().getBodyAsString().contains(actor))
                    .map(e -> Fakes.form(e.getRequest()).get("text"))).as("each reply once, in order")
                    .satisfiesExactly(ack -> assertThat(ack).contains("Acknowledged by"),
                            resolved -> assertThat(resolved).contains("Resolved by"));
        }
    }

    private static int order(String action) {
        return List.of("trigger", "acknowledge", "resolve").indexOf(action);
    }

    private static ResponseDefinitionBuilder tooMany() {
        return aResponse().withStatus(429).withHeader("Retry-After", "1");
    }

    private static ResponseDefinitionBuilder status(int status) {
        return aResponse().withStatus(status);
    }

    private static ResponseDefinitionBuilder accepted() {
        return aResponse().withStatus(202).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":\"success\",\"message\":\"Event processed\"}");
    }

    /** The fake answers matching requests with {@code answers} in turn, then as it does by default. */
    private static void sequence(Supplier<MappingBuilder> request, String scenario,
            List<ResponseDefinitionBuilder> answers) {
        String state = "Started";
        for (int i = 0; i < answers.size(); i++) {
            String next = "answer-" + (i + 1);
            Fakes.http().stubFor(request.get().atPriority(1).inScenario(scenario).whenScenarioStateIs(state)
                    .willSetStateTo(next).willReturn(answers.get(i)));
            state = next;
        }
    }

    /** What the fake served on {@code path}, oldest first (its journal lists the newest first). */
    private static List<ServeEvent> served(String path) {
        List<ServeEvent> events = new ArrayList<>(Fakes.http().getAllServeEvents());
        Collections.reverse(events);
        return events.stream().filter(e -> e.getRequest().getUrl().equals(path)).toList();
    }

    /** Moves the test clock a second per look (Retry-After, backoff, pacing and open breakers pass) until done. */
    private static <T> T fastForwardUntil(Callable<T> supplier, Predicate<T> done) {
        return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> {
            TestClock.CLOCK.advance(Duration.ofSeconds(1));
            return supplier.call();
        }, done);
    }

    private static JsonNode json(String body) {
        try {
            return IncidentFeed.MAPPER.readTree(body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void incidentView(Connection db, UUID incident, String priority, Instant at) throws Exception {
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO notifier.incident_view (incident_id, title, "
                + "priority, state, group_labels, labels, annotations, opened_at, updated_at, version) "
                + "VALUES (?, 'Storm', ?, 'open', '{}', '{\"alertname\":\"Storm\"}', '{}', ?, ?, 1)")) {
            insert.setObject(1, incident);
            insert.setString(2, priority);
            insert.setTimestamp(3, Timestamp.from(at));
            insert.setTimestamp(4, Timestamp.from(at));
            insert.executeUpdate();
        }
    }

    private static void delivery(Connection db, UUID incident, String channel, String address, String action,
            int priority, Instant due) throws Exception {
        String event = "{\"type\":\"notification.requested\",\"eventId\":\"" + UUID.randomUUID()
                + "\",\"incidentId\":\"" + incident + "\",\"occurredAt\":\"" + due + "\",\"target\":{\"channel\":\""
                + channel + "\",\"address\":\"" + address + "\"},\"policy\":\"default\",\"level\":0,\"cycle\":0,"
                + "\"priority\":\"P" + priority + "\",\"title\":\"Storm\"}";
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO notifier.delivery (idempotency_key, "
                + "incident_id, event_id, channel, address, action, event, status, attempts, next_attempt_at, "
                + "created_at, priority) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)")) {
            insert.setString(1, UUID.randomUUID().toString());
            insert.setObject(2, incident);
            insert.setObject(3, UUID.randomUUID());
            insert.setString(4, channel);
            insert.setString(5, address);
            insert.setString(6, action);
            insert.setString(7, event);
            insert.setTimestamp(8, Timestamp.from(due));
            insert.setTimestamp(9, Timestamp.from(due));
            insert.setInt(10, priority);
            insert.executeUpdate();
        }
    }
}
