package io.tocsin.system;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;

import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.PostgresDatabase;

/**
 * Issue 11, outside services misbehaving: Slack and PagerDuty answer 429 and 5xx in bursts (every page delivered once,
 * in order per target), and a webhook receiver is down with hundreds of follow-ups queued for its incident while a
 * new incident's first page still reaches Slack and PagerDuty within seconds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeliveryFaultsIT {

    private static KafkaBroker broker;
    private static PostgresDatabase database;
    private static FaultStack stack;

    @BeforeAll
    static void start() throws Exception {
        broker = KafkaBroker.start();
        database = PostgresDatabase.create();
        stack = new FaultStack("delivery-faults", broker.bootstrapServers(), database.host(), database.port(),
                database.name(), Duration.ofSeconds(2));
        stack.start("alert-ingest");
        stack.start("escalation");
        stack.start("notifier", Map.of(
                "TOCSIN_NOTIFIER_SLACK_THREAD_REPLIES", "normal",
                "TOCSIN_NOTIFIER_DELIVERY_FIRST_BACKOFF", "200ms",
                "TOCSIN_NOTIFIER_DELIVERY_MAX_BACKOFF", "2s",
                "TOCSIN_NOTIFIER_DELIVERY_BREAKER_OPEN_FOR", "2s"));
    }

    @AfterAll
    static void stop() throws Exception {
        FaultStack.closeAll(stack, broker, database);
    }

    @BeforeEach
    void healthy() {
        stack.stubHealthyFakes();
        stack.fakes.resetRequests();
    }

    @Test
    @Order(1)
    void slackAndPagerDutyAnswering429And5xxInBurstsGetEveryPageOnceInOrder() throws Exception {
        cycle("/api/chat.postMessage", List.of(
                aResponse().withStatus(429).withHeader("Retry-After", "1"),
                aResponse().withStatus(503),
                slackOk(), slackOk(),
                aResponse().withStatus(500),
                aResponse().withStatus(502),
                slackOk()));
        cycle("/v2/enqueue", List.of(
                aResponse().withStatus(429).withHeader("Retry-After", "1"),
                aResponse().withStatus(500),
                aResponse().withStatus(503),
                pagerDutyOk(), pagerDutyOk(),
                aResponse().withStatus(502),
                pagerDutyOk()));
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            groups.add("Bursts-" + i);
            assertThat(stack.sendAlert("Bursts-" + i, "bursts-" + i)).isEqualTo(202);
        }
        Map<String, String> incidents = await().atMost(Duration.ofSeconds(30)).until(stack::incidentOfGroup,
                ids -> ids.keySet().containsAll(groups));
        for (String group : groups) {
            String id = incidents.get(group);
            assertThat(stack.api("POST", "/api/v1/incidents/" + id + "/notes", "{\"text\":\"note for " + group
                    + "\"}")).isLessThan(300);
            assertThat(stack.api("POST", "/api/v1/incidents/" + id + "/resolve", "{}")).isLessThan(300);
        }
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> groups.stream()
                    .allMatch(group -> stack.pagerDutyPerIncident("resolve").containsKey(incidents.get(group))
                            && noteReplies(incidents.get(group)) > 0));
        } finally {
            for (String group : groups) {
                String id = incidents.get(group);
                System.out.printf("FIGURES delivery-bursts %s: slackRoots=%s noteReplies=%d pagerDuty=%s%n", group,
                        stack.slackRootsPerIncident().get(id), noteReplies(id), pagerDutyActions(id));
            }
            System.out.printf("FIGURES delivery-bursts: deliveries=%s slackReplyTexts=%s%n",
                    stack.deliveriesByStatus(), stack.served("/api/chat.postMessage").stream()
                            .map(e -> Slack.form(e.getRequest())).filter(form -> form.containsKey("thread_ts"))
                            .map(form -> form.get("text")).limit(5).toList());
        }
        FaultStack.hold(Duration.ofSeconds(2));
        System.out.printf("FIGURES delivery-bursts: unfinished=%s%n", stack.query("SELECT channel, action, status, "
                + "attempts, next_attempt_at, last_error FROM notifier.delivery WHERE status NOT IN ('delivered')"));

        Map<String, Integer> slack = stack.slackRootsPerIncident();
        Map<String, Integer> triggers = stack.pagerDutyPerIncident("trigger");
        Map<String, Integer> resolves = stack.pagerDutyPerIncident("resolve");
        long refused = stack.fakes.getAllServeEvents().stream().filter(e -> e.getResponse().getStatus() >= 400)
                .count();
        System.out.printf("FIGURES delivery-bursts: incidents=%d refusedRequests=%d slackRoots=%s pdTriggers=%s "
                + "pdResolves=%s deliveries=%s deadLetters=%s%n", groups.size(), refused, slack.values(),
                triggers.values(), resolves.values(), stack.deliveriesByStatus(), stack.deadLetters());
        assertThat(refused).as("the fakes did refuse requests").isGreaterThan(5);
        for (String group : groups) {
            String id = incidents.get(group);
            assertThat(slack.get(id)).as("Slack messages of " + group).isEqualTo(1);
            assertThat(noteReplies(id)).as("note replies of " + group).isEqualTo(1);
            assertThat(pagerDutyActions(id)).as("PagerDuty events of " + group + ", in order")
                    .containsExactly("trigger", "resolve");
        }
        // A thread reply (a resolve's) may still be retrying through the cycle of refusals: it goes, and none fails.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(
                stack.deliveriesByStatus()).doesNotContainKeys("failed", "unknown", "pending", "sending"));
    }

    // Second: the webhook backlog it leaves behind must not weigh on the bursts case.
    @Test
    @Order(2)
    void aNewIncidentIsPagedWithinSecondsWhileADownWebhookHasHundredsOfFollowUpsQueued() throws Exception {
        stack.fakes.stubFor(post(urlEqualTo("/hook")).willReturn(aResponse().withStatus(503)));
        assertThat(stack.sendAlert("Backlog-a", "backlog-a")).isEqualTo(202);
        String blocked = await().atMost(Duration.ofSeconds(30)).until(() -> stack.incidentOfGroup().get("Backlog-a"),
                id -> id != null);
        // The second level subscribes the incident's webhook; from then on every event of it is a follow-up there.
        await().atMost(Duration.ofSeconds(30)).until(() -> stack.fakes.getAllServeEvents().stream()
                .anyMatch(e -> e.getRequest().getUrl().equals("/hook")));
        for (int i = 0; i < 220; i++) {
            assertThat(stack.api("POST", "/api/v1/incidents/" + blocked + "/notes", "{\"text\":\"follow-up " + i
                    + "\"}")).isLessThan(300);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> queuedWebhooks(blocked) >= 200);
        long queued = queuedWebhooks(blocked);

        Instant sent = Instant.now();
        assertThat(stack.sendAlert("Backlog-b", "backlog-b")).isEqualTo(202);
        String fresh = await().atMost(Duration.ofSeconds(30)).until(() -> stack.incidentOfGroup().get("Backlog-b"),
                id -> id != null);
        String outcome;
        try {
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                    .until(() -> stack.slackRootsPerIncident().containsKey(fresh)
                            && stack.pagerDutyPerIncident("trigger").containsKey(fresh));
            outcome = Duration.between(sent, Instant.now()).toMillis() + " ms";
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            outcome = "not within 10 s";
        }
        System.out.printf("FIGURES webhook-backlog: queuedWebhookFollowUps=%d newP0PagedIn=%s slackRootsOfNew=%s "
                + "pdTriggersOfNew=%s%n", queued, outcome, stack.slackRootsPerIncident().get(fresh),
                stack.pagerDutyPerIncident("trigger").get(fresh));
        assertThat(outcome).as("the new incident's Slack message and PagerDuty trigger, with the webhook backlog")
                .endsWith(" ms");
        assertThat(stack.slackRootsPerIncident().get(fresh)).isEqualTo(1);
        assertThat(stack.pagerDutyPerIncident("trigger").get(fresh)).isEqualTo(1);
    }

    private long queuedWebhooks(String incident) throws Exception {
        return Long.parseLong(stack.query("SELECT count(*) FROM notifier.delivery WHERE channel = 'webhook' AND "
                + "incident_id = '" + incident + "' AND status IN ('pending', 'sending')").get(0).get(0));
    }

    private long noteReplies(String incident) {
        // Replies carry no incident id; the note's text names the group, and groups map one to one to incidents.
        String group = groupOf(incident);
        return stack.served("/api/chat.postMessage").stream().map(e -> Slack.form(e.getRequest()))
                .filter(form -> form.containsKey("thread_ts"))
                .filter(form -> String.valueOf(form.get("text")).contains("note for " + group)).count();
    }

    private String groupOf(String incident) {
        try {
            return stack.incidentOfGroup().entrySet().stream().filter(e -> e.getValue().equals(incident))
                    .map(Map.Entry::getKey).findFirst().orElseThrow();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private List<String> pagerDutyActions(String incident) {
        return stack.pagerDutyEvents().stream()
                .filter(event -> event.path("dedup_key").asText().equals("tocsin-" + incident))
                .map(event -> event.path("event_action").asText()).toList();
    }

    /** Answers requests to {@code path} with these responses in turn, over and over. */
    private static void cycle(String path, List<ResponseDefinitionBuilder> responses) {
        String scenario = "burst " + path;
        for (int i = 0; i < responses.size(); i++) {
            String state = i == 0 ? Scenario.STARTED : "step-" + i;
            String nextState = i + 1 == responses.size() ? Scenario.STARTED : "step-" + (i + 1);
            stack.fakes.stubFor(post(urlEqualTo(path)).inScenario(scenario).whenScenarioStateIs(state)
                    .willReturn(responses.get(i)).willSetStateTo(nextState));
        }
    }

    private static ResponseDefinitionBuilder slackOk() {
        return okJson("{\"ok\":true,\"channel\":\"C0FAULT\",\"ts\":\"{{randomValue length=10 type='NUMERIC'}}.000500\"}")
                .withTransformers("response-template");
    }

    private static ResponseDefinitionBuilder pagerDutyOk() {
        return aResponse().withStatus(202).withBody("{\"status\":\"success\",\"message\":\"Event processed\"}");
    }
}
