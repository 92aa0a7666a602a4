package io.tocsin.escalation.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import io.tocsin.escalation.AlertFeed;
import io.tocsin.escalation.TestClock;
import io.tocsin.events.NotificationOutcome;
import io.tocsin.events.NotificationTarget;
import io.tocsin.events.Topics;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;
import io.tocsin.testsupport.TopicWatcher;

@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class IncidentApiTest {

    private static final String TOKEN = "test-token-oncall-000000001";

    @InjectKafkaBroker
    KafkaBroker broker;

    @Test
    void acknowledgeStopsEscalationAndEveryStepIsOnTheTimeline() {
        String id = openIncident("ApiAck");
        try (TopicWatcher events = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.INCIDENTS, 3)) {
            api().when().post("/api/v1/incidents/" + id + "/acknowledge")
                    .then().statusCode(200)
                    .body("state", equalTo("acknowledged"))
                    .body("acknowledgedBy", equalTo("api:oncall"));
            api().when().post("/api/v1/incidents/" + id + "/acknowledge").then().statusCode(200);

            TestClock.CLOCK.advance(Duration.ofHours(2));
            await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> true);
            List<String> types = events.poll(Duration.ofMillis(300)).stream().filter(r -> r.key().equals(id))
                    .map(r -> r.value().replaceAll("^\\{\"type\":\"([^\"]+)\".*", "$1")).toList();
            assertThat(types).as("acknowledged once; no escalation or SLA breach after it")
                    .containsExactly("incident.acknowledged");
        }

        api().when().post("/api/v1/incidents/" + id + "/resolve")
                .then().statusCode(200).body("state", equalTo("resolved")).body("resolvedAt", notNullValue());
        api().when().post("/api/v1/incidents/" + id + "/resolve").then().statusCode(200);
        assertThat(given().get("/q/metrics").then().extract().asString())
                .containsPattern("tocsin_escalation_time_to_acknowledge_seconds_count\\{priority=\"P3\"} [1-9]")
                .containsPattern("tocsin_escalation_time_to_resolve_seconds_count\\{priority=\"P3\"} [1-9]");
        api().when().post("/api/v1/incidents/" + id + "/acknowledge")
                .then().statusCode(409).contentType(ApiProblems.MEDIA_TYPE)
                .body("type", equalTo("urn:tocsin:problem:illegal-transition"));

        List<String> kinds = api().when().get("/api/v1/incidents/" + id + "/timeline")
                .then().statusCode(200).extract().jsonPath().getList("items.kind");
        assertThat(kinds).startsWith("incident.opened", "alert.attached").contains("notification.requested")
                .endsWith("incident.acknowledged", "incident.resolved");
        assertThat(api().when().get("/api/v1/incidents/" + id + "/timeline").then().extract().jsonPath()
                .getString("items.find { it.kind == 'incident.resolved' }.actor")).isEqualTo("api:oncall");
    }

    @Test
    void escalateByHandOverridePrioritySnoozeUntilItWakesAndWriteNotes() {
        String id = openIncident("ApiHands");
        String path = "/api/v1/incidents/" + id;

        api().when().post(path + "/escalate").then().statusCode(200).body("escalationLevel", equalTo(1));
        api().contentType("application/json").body("{\"priority\": \"P0\"}").when().post(path + "/priority")
                .then().statusCode(200).body("priority", equalTo("P0")).body("policy", equalTo("urgent"));
        api().contentType("application/json").body("{\"minutes\": 30}").when().post(path + "/snooze")
                .then().statusCode(200).body("state", equalTo("acknowledged")).body("snoozedUntil", notNullValue());
        api().contentType("application/json").body("{\"text\": \"rolled back deploy 42\"}").when()
                .post(path + "/notes").then().statusCode(200);

        TestClock.CLOCK.advance(Duration.ofMinutes(31));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> api().when().get(path)
                .then().body("state", equalTo("open")));

        var timeline = api().when().get(path + "/timeline").then().statusCode(200).extract().jsonPath();
        List<String> kinds = timeline.getList("items.kind");
        assertThat(kinds).containsSubsequence("incident.escalated", "priority.changed", "incident.snoozed",
                "note.added", "incident.unacknowledged", "notification.requested");
        assertThat(timeline.getString("items.find { it.kind == 'incident.escalated' }.actor")).isEqualTo("api:oncall");
        assertThat(timeline.getString("items.find { it.kind == 'incident.unacknowledged' }.summary"))
                .contains("snooze ended");
        assertThat(timeline.getString("items.find { it.kind == 'note.added' }.summary"))
                .contains("rolled back deploy 42");
        api().when().post(path + "/unacknowledge").then().statusCode(200).body("state", equalTo("open"));
    }

    @Test
    void commandBodiesAreCheckedFieldByField() {
        String path = "/api/v1/incidents/" + openIncident("ApiBodies");

        api().contentType("application/json").body("{}").when().post(path + "/priority")
                .then().statusCode(400).body("errors[0].field", equalTo("priority"));
        api().contentType("application/json").body("{\"minutes\": 0}").when().post(path + "/snooze")
                .then().statusCode(400).body("errors[0].field", equalTo("minutes"));
        api().contentType("application/json").body("{\"until\": \"tomorrow\"}").when().post(path + "/snooze")
                .then().statusCode(400).body("errors[0].field", equalTo("until"));
        api().contentType("application/json").body("not json").when().post(path + "/notes")
                .then().statusCode(400).body("errors[0].field", equalTo("text"));
    }

    @Test
    void theListFiltersAndPagesWithACursor() {
        String first = openIncident("ApiPageA");
        String second = openIncident("ApiPageB");

        var page1 = api().queryParam("service", "api-test").queryParam("limit", 1).when().get("/api/v1/incidents")
                .then().statusCode(200).extract().jsonPath();
        assertThat(page1.getList("items")).hasSize(1);
        String cursor = page1.getString("nextCursor");
        assertThat(cursor).isNotNull();
        var page2 = api().queryParam("service", "api-test").queryParam("limit", 1).queryParam("cursor", cursor)
                .when().get("/api/v1/incidents").then().statusCode(200).extract().jsonPath();
        assertThat(List.of(page1.getString("items[0].id"), page2.getString("items[0].id")))
                .containsExactlyInAnyOrder(first, second);

        api().queryParam("state", "open").queryParam("priority", "P3").when().get("/api/v1/incidents")
                .then().statusCode(200).body("items.id", hasItem(first));
        api().when().get("/api/v1/incidents/" + first).then().statusCode(200).body("policy", equalTo("default"));
    }

    @Test
    void badRequestsNameTheFieldUnknownIdsAre404AndTokensAreRequired() {
        api().queryParam("priority", "P9").when().get("/api/v1/incidents")
                .then().statusCode(400).contentType(ApiProblems.MEDIA_TYPE)
                .body("errors[0].field", equalTo("priority"));
        api().queryParam("limit", "1000").when().get("/api/v1/incidents")
                .then().statusCode(400).body("errors[0].field", equalTo("limit"));
        api().queryParam("cursor", "garbage").when().get("/api/v1/incidents")
                .then().statusCode(400).body("errors[0].field", equalTo("cursor"));
        api().when().get("/api/v1/incidents/not-a-uuid").then().statusCode(400).body("errors[0].field", equalTo("id"));
        api().when().get("/api/v1/incidents/" + UUID.randomUUID()).then().statusCode(404);
        api().when().post("/api/v1/incidents/" + UUID.randomUUID() + "/acknowledge").then().statusCode(404);
        given().when().get("/api/v1/incidents").then().statusCode(401);
        given().auth().oauth2("test-token-nobody-has-this-1").when().get("/api/v1/incidents").then().statusCode(401);
    }

    @Test
    void whatBecameOfEachNotificationIsOnTheTimelineOnce() {
        String id = openIncident("ApiDelivery");
        NotificationOutcome retrying = new NotificationOutcome(UUID.randomUUID(), UUID.fromString(id),
                TestClock.CLOCK.instant(), UUID.randomUUID(),
                new NotificationTarget(NotificationTarget.Channel.PAGERDUTY, "R0123456789abcdef0123456789abcdef"),
                "pagerduty.trigger",
                NotificationOutcome.Status.RETRYING, 1, "HTTP 503; attempt 2 in 1s", null);
        NotificationOutcome delivered = new NotificationOutcome(UUID.randomUUID(), UUID.fromString(id),
                TestClock.CLOCK.instant(), retrying.causeEventId(), retrying.target(), "pagerduty.trigger",
                NotificationOutcome.Status.DELIVERED, 2, "trigger accepted by PagerDuty (HTTP 202)", null);
        try (AlertFeed feed = new AlertFeed(broker.bootstrapServers())) {
            feed.outcome(retrying);
            feed.outcome(retrying);
            feed.outcome(delivered);
        }
        List<String> summaries = await().atMost(Duration.ofSeconds(30)).until(() -> api()
                .when().get("/api/v1/incidents/" + id + "/timeline").then().statusCode(200).extract().jsonPath()
                .getList("items.findAll { it.actor == 'notifier' }.summary", String.class), l -> l.size() == 2);
        assertThat(summaries).containsExactly(
                "pagerduty:R012…, pagerduty.trigger (attempt 1): retrying, HTTP 503; attempt 2 in 1s",
                "pagerduty:R012…, pagerduty.trigger (attempt 2): delivered, trigger accepted by PagerDuty (HTTP 202)");
    }

    private static RequestSpecification api() {
        return given().auth().oauth2(TOKEN);
    }

    /** Sends a warning alert and waits until its incident shows in the API; returns the incident id. */
    private String openIncident(String alertname) {
        try (AlertFeed feed = new AlertFeed(broker.bootstrapServers())) {
            feed.send(AlertFeed.firing(Map.of("alertname", alertname, "severity", "warning", "service", "api-test"),
                    alertname + " probe"));
        }
        return await().atMost(Duration.ofSeconds(30)).until(() -> api().queryParam("service", "api-test")
                .when().get("/api/v1/incidents").then().extract().jsonPath()
                .getString("items.find { it.title == '" + alertname + " probe' }.id"), found -> found != null);
    }
}
