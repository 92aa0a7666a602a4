package io.tocsin.escalation.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.tocsin.escalation.AlertFeed;
import io.tocsin.escalation.TestClock;
import io.tocsin.events.RunbookEvent;
import io.tocsin.events.RunbookEvent.Kind;
import io.tocsin.events.RunbookProgressed;
import io.tocsin.events.Topics;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;
import io.tocsin.testsupport.TopicWatcher;

/** Runbook events from the runbook engine: on the incident's timeline once each, and on to the notifier. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
class RunbookEventConsumerTest {

    private static final String TOKEN = "test-token-oncall-000000001";
    private static final String DLQ = "tocsin.runbooks.dlq.escalation.v1";

    @InjectKafkaBroker
    KafkaBroker broker;

    @Test
    void eachRunbookEventIsOnTheTimelineOnceAndGoesOnAsRunbookProgressed() {
        String id = openIncident("RunbookProbe");
        UUID incident = UUID.fromString(id);
        UUID run = UUID.randomUUID();
        RunbookEvent started = event(incident, run, Kind.RUN_STARTED, null, null, null, "started by alert CheckoutDown");
        RunbookEvent failed = event(incident, run, Kind.STEP_FAILED, "restart", 1, "http", "failed: HTTP 503");
        RunbookEvent runFailed = event(incident, run, Kind.RUN_FAILED, null, null, null, "failed at step restart");

        try (TopicWatcher events = TopicWatcher.fromNow(broker.bootstrapServers(), Topics.INCIDENTS, 3);
                TopicWatcher dead = TopicWatcher.fromNow(broker.bootstrapServers(), DLQ, 1);
                AlertFeed feed = new AlertFeed(broker.bootstrapServers())) {
            feed.runbook(event(UUID.randomUUID(), run, Kind.RUN_STARTED, null, null, null, "nobody knows it"));
            feed.runbookRaw(id, "{\"this is\": not a runbook event");
            feed.runbook(started);
            feed.runbook(failed);
            feed.runbook(failed); // redelivered
            // The same key, so the same partition: once the last is on the timeline, the repeat was read before it.
            feed.runbook(runFailed);

            JsonPath timeline = await().atMost(Duration.ofSeconds(30)).until(() -> timeline(id),
                    t -> t.getList("items.kind", String.class).contains("runbook.run.failed"));
            assertThat(timeline.getList("items.findAll { it.kind.startsWith('runbook.') }.kind", String.class))
                    .containsExactly("runbook.run.started", "runbook.step.failed", "runbook.run.failed");
            assertThat(timeline.getString("items.find { it.kind == 'runbook.step.failed' }.summary"))
                    .isEqualTo("runbook restart-checkout, step \"restart\" (http): failed: HTTP 503");
            assertThat(timeline.getString("items.find { it.kind == 'runbook.step.failed' }.actor"))
                    .isEqualTo("runbook:restart-checkout");
            assertThat(timeline.getString("items.find { it.kind == 'runbook.step.failed' }.eventId"))
                    .isEqualTo(failed.eventId().toString());
            assertThat(timeline.getString("items.find { it.kind == 'runbook.run.started' }.summary"))
                    .isEqualTo("runbook restart-checkout: started by alert CheckoutDown");

            List<RunbookProgressed> progressed = await().atMost(Duration.ofSeconds(30))
                    .until(() -> events.poll(Duration.ofMillis(100)).stream().filter(r -> r.key().equals(id))
                            .map(r -> AlertFeed.event(r.value())).filter(RunbookProgressed.class::isInstance)
                            .map(RunbookProgressed.class::cast).toList(), l -> l.size() >= 3);
            assertThat(progressed).containsExactly(RunbookProgressed.of(started), RunbookProgressed.of(failed),
                    RunbookProgressed.of(runFailed));

            api().when().get("/api/v1/incidents/" + id).then().statusCode(200).body("state", equalTo("open"));
            await().atMost(Duration.ofSeconds(30)).until(() -> !dead.poll(Duration.ofMillis(100)).isEmpty());
            assertThat(dead.seen()).singleElement().satisfies(record -> assertThat(record.key()).isEqualTo(id));
        }
    }

    private static RunbookEvent event(UUID incident, UUID run, Kind kind, String step, Integer stepIndex,
            String stepKind, String summary) {
        return new RunbookEvent(UUID.randomUUID(), incident, TestClock.CLOCK.instant(), run, "restart-checkout", kind,
                step, stepIndex, stepKind, "runbook:restart-checkout", summary, false, null);
    }

    private static JsonPath timeline(String id) {
        return api().when().get("/api/v1/incidents/" + id + "/timeline").then().statusCode(200).extract().jsonPath();
    }

    private static RequestSpecification api() {
        return given().auth().oauth2(TOKEN);
    }

    /** Sends a warning alert and waits until its incident shows in the API; returns the incident id. */
    private String openIncident(String alertname) {
        try (AlertFeed feed = new AlertFeed(broker.bootstrapServers())) {
            feed.send(AlertFeed.firing(Map.of("alertname", alertname, "severity", "warning", "service", "runbook-test"),
                    alertname + " probe"));
        }
        return await().atMost(Duration.ofSeconds(30)).until(() -> api().queryParam("service", "runbook-test")
                .when().get("/api/v1/incidents").then().extract().jsonPath()
                .getString("items.find { it.title == '" + alertname + " probe' }.id"), found -> found != null);
    }
}
