package io.tocsin.runbook.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tocsin.events.Priority;
import io.tocsin.events.PriorityChanged;
import io.tocsin.runbook.Api;
import io.tocsin.runbook.Fakes;
import io.tocsin.runbook.IncidentFeed;
import io.tocsin.runbook.RunbookEvents;
import io.tocsin.runbook.TestClock;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;

/** The runbook API, manual and dry runs, the priority trigger and the run limit. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(Fakes.class)
class RunbookApiTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    IncidentFeed feed;
    RunbookEvents events;

    @BeforeEach
    void open() {
        feed = IncidentFeed.to(broker.bootstrapServers());
        events = new RunbookEvents(broker.bootstrapServers());
    }

    @AfterEach
    void close() {
        events.close();
    }

    private UUID incident(Priority priority, String test, String deployment) {
        UUID incident = UUID.randomUUID();
        feed.send(IncidentFeed.opened(incident, priority, Map.of("alertname", "ApiTest", "test", test,
                "deployment", deployment)));
        return incident;
    }

    /** Waits until the engine has the incident's first alert: a runbook for other labels then names its label. */
    private void known(UUID incident, String test) {
        await().atMost(Duration.ofSeconds(30)).until(() -> Api.call().body("{\"dryRun\": true}")
                .post("/api/v1/incidents/" + incident + "/runbooks/restart-and-check/run").then().extract()
                .asString().contains("label test is \\\"" + test + "\\\""));
    }

    @Test
    void listsEveryRunbookFileWithItsValidationStatus() {
        JsonPath list = Api.call().get("/api/v1/runbooks").then().statusCode(200).extract().jsonPath();

        assertThat(list.getBoolean("dryRun")).isFalse();
        assertThat(list.getList("items.file")).containsExactly("broken.yaml", "cut-off.yaml", "dry.yaml",
                "flaky.yaml", "full.yaml", "headers.yaml", "manual.yaml", "priority.yaml", "refused.yaml", "slow-post.yaml");
        assertThat(list.getBoolean("items.find { it.file == 'broken.yaml' }.valid")).isFalse();
        assertThat(list.getList("items.find { it.file == 'broken.yaml' }.errors", String.class)).singleElement()
                .asString().startsWith("broken.yaml:7: steps[0] (call).colour: unknown key");
        assertThat(list.getBoolean("items.find { it.name == 'restart-and-check' }.valid")).isTrue();
        assertThat(list.getString("items.find { it.name == 'restart-and-check' }.trigger")).isEqualTo("opened");
        assertThat(list.getList("items.find { it.name == 'restart-and-check' }.steps.kind")).containsExactly("http",
                "wait", "prometheus-query", "branch", "approval", "http", "notify");
        assertThat(list.getBoolean("items.find { it.name == 'dry-run-all' }.dryRun")).isTrue();
    }

    @Test
    void aRunbookFileCanBeCheckedBeforeItIsDeployed() {
        Api.call().contentType("application/yaml").body("""
                version: 1
                name: candidate
                steps:
                  - name: call
                    kind: http
                    url: https://elsewhere.example.com/x
                    retries: 99
                """.getBytes(java.nio.charset.StandardCharsets.UTF_8)).post("/api/v1/runbooks/validate?file=candidate.yaml")
                .then().statusCode(200)
                .body("name", equalTo("candidate")).body("valid", equalTo(false))
                .body("errors[0]", equalTo("candidate.yaml:7: steps[0] (call).retries: must be a whole number from 0 "
                        + "to 10"))
                .body("warnings[0]", containsString("candidate.yaml:6: steps[0] (call).url: host "
                        + "elsewhere.example.com:443 is not on the allowlist"));
        Api.call().contentType("text/plain").body("version: 1\nname: fine\nsteps:\n  - {name: pause, kind: wait, "
                + "duration: 1m}\n").post("/api/v1/runbooks/validate").then().statusCode(200)
                .body("valid", equalTo(true)).body("errors", org.hamcrest.Matchers.empty());
        assertThat(Api.call().get("/api/v1/runbooks").then().extract().jsonPath().getList("items.name"))
                .as("nothing is loaded").doesNotContain("candidate", "fine");
    }

    @Test
    void everyPathNeedsAToken() {
        given().get("/api/v1/runbooks").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Bearer"));
        given().header("Authorization", "Bearer wrong-token-0000000000").post("/api/v1/runbook-runs/"
                + UUID.randomUUID() + "/approve").then().statusCode(401);
    }

    @Test
    void badRequestsAreNamed4xxs() {
        Api.call().get("/api/v1/runbook-runs?incident=yesterday").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("incident"));
        Api.call().get("/api/v1/runbook-runs?state=exploded").then().statusCode(400)
                .body("errors[0].field", equalTo("state"));
        Api.call().get("/api/v1/runbook-runs?limit=1000").then().statusCode(400).body("errors[0].field", equalTo("limit"));
        Api.call().get("/api/v1/runbook-runs/not-a-uuid").then().statusCode(400).body("errors[0].field", equalTo("id"));
        Api.call().get("/api/v1/runbook-runs/" + UUID.randomUUID()).then().statusCode(404);
        Api.call().post("/api/v1/runbook-runs/" + UUID.randomUUID() + "/cancel").then().statusCode(404);
        Api.call().body("{\"reason\": 5}").post("/api/v1/runbook-runs/" + UUID.randomUUID() + "/deny").then()
                .statusCode(400).body("errors[0].field", equalTo("reason"));
        Api.call().post("/api/v1/incidents/" + UUID.randomUUID() + "/runbooks/manual-echo/run").then().statusCode(404)
                .body("detail", containsString("no incident"));
        Api.call().body("{\"dryRun\": \"yes\"}").post("/api/v1/incidents/" + UUID.randomUUID()
                + "/runbooks/manual-echo/run").then().statusCode(400).body("errors[0].field", equalTo("dryRun"));
        Api.call().body("not json").post("/api/v1/incidents/" + UUID.randomUUID() + "/runbooks/manual-echo/run").then()
                .statusCode(400).body("errors[0].field", equalTo("body"));
    }

    @Test
    void aManualRunStartsOnceAtATimeAndAtMostAsOftenAsTheRunbookAllows() {
        UUID incident = incident(Priority.P3, "manual", "m1");
        known(incident, "manual");
        String path = "/api/v1/incidents/" + incident + "/runbooks/manual-echo/run";

        String trial = Api.call().body("{\"dryRun\": true}").post(path).then().statusCode(201).extract().path("id");
        String first = Api.call().post(path).then().statusCode(201).body("state", equalTo("running"))
                .body("trigger", equalTo("manual")).body("startedBy", equalTo("api:tests")).extract().path("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> "waiting".equals(Api.call().get("/api/v1/runbook-runs/"
                + first).then().extract().jsonPath().getString("currentStepState")));
        JsonPath run = Api.call().get("/api/v1/runbook-runs/" + first).then().extract().jsonPath();
        assertThat(run.getString("steps[0].state")).isEqualTo("succeeded");
        assertThat(run.getString("steps[0].input")).isEqualTo("/bin/echo hello m1");
        assertThat(run.getString("steps[0].output")).isEqualTo("hello m1\n");
        Api.call().post(path).then().statusCode(409).body("detail", containsString("still in progress"));
        Api.call().get("/api/v1/runbook-runs/" + trial).then().statusCode(200).body("dryRun", equalTo(true))
                .body("state", equalTo("succeeded"));

        Api.call().body("{\"reason\": \"wrong deployment\"}").post("/api/v1/runbook-runs/" + first + "/cancel").then()
                .statusCode(200).body("state", equalTo("cancelled"))
                .body("result", equalTo("cancelled by api:tests: wrong deployment"));
        Api.call().post("/api/v1/runbook-runs/" + first + "/cancel").then().statusCode(409);
        String second = Api.call().post(path).then().statusCode(201).extract().path("id");
        Api.call().post("/api/v1/runbook-runs/" + second + "/cancel").then().statusCode(200);
        Api.call().post(path).then().statusCode(409).body("detail", equalTo(
                "manual-echo already ran 2 time(s) for this incident (max_runs_per_incident: 2)"));
        Api.call().body("{\"dryRun\": true}").post(path).then().statusCode(201); // dry runs are counted apart

        Api.call().post("/api/v1/incidents/" + incident + "/runbooks/restart-and-check/run").then().statusCode(409)
                .body("detail", equalTo("runbook restart-and-check does not apply to this incident: label test is "
                        + "\"manual\", the runbook wants \"full\""));
        Api.call().post("/api/v1/incidents/" + incident + "/runbooks/broken/run").then().statusCode(409)
                .body("detail", containsString("is invalid"));
    }

    @Test
    void aDryRunRecordsWhatItWouldDoAndDoesNothing() {
        UUID incident = incident(Priority.P1, "dry", "d1");

        await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(Api.state(incident)));
        JsonPath run = Api.run(incident);
        assertThat(run.getBoolean("dryRun")).isTrue();
        assertThat(run.getList("steps.state")).containsExactly("succeeded", "succeeded", "approved", "succeeded",
                "succeeded");
        await().atMost(Duration.ofSeconds(10)).until(() -> events.kinds(incident).contains("run.succeeded"));
        assertThat(events.of(incident)).allMatch(e -> e.dryRun());
        assertThat(events.of(incident).stream().map(e -> e.summary()).toList()).contains(
                "would POST " + Fakes.baseUrl() + "/dry/d1", "would wait 1 h; a dry run goes straight on",
                "would ask \"Go ahead with d1?\"; a dry run takes it as approved", "would /bin/echo d1",
                "would post: dry d1");
        assertThat(run.getString("steps[0].input")).contains("Authorization: Bearer [secret KUBE_TOKEN]");
        assertThat(Fakes.requests("/dry/")).isEmpty();
        assertThat(events.notes(incident)).isEmpty();
    }

    @Test
    void theApiCanAskForADryRunOfARunbookThatWouldRunForReal() {
        UUID incident = incident(Priority.P3, "manual", "m2");
        known(incident, "manual");

        Api.call().body("{\"dryRun\": true}").post("/api/v1/incidents/" + incident + "/runbooks/manual-echo/run")
                .then().statusCode(201).body("dryRun", equalTo(true));

        await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(Api.state(incident)));
        assertThat(Api.run(incident).getString("steps[0].input")).isEqualTo("/bin/echo hello m2");
        assertThat(Api.run(incident).getString("steps[0].output")).as("nothing ran").isNull();
    }

    @Test
    void aPriorityRunbookStartsWhenTheIncidentFirstReachesItsPriorityAndOnlyOnce() {
        UUID incident = incident(Priority.P3, "priority", "p1");
        known(incident, "priority");
        assertThat(Api.runs(incident).getList("items")).isEmpty();

        PriorityChanged raised = new PriorityChanged(UUID.randomUUID(), incident, TestClock.CLOCK.instant(),
                Priority.P3, Priority.P1, "tocsin", "a more urgent alert fired");
        feed.send(raised, raised);

        await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(Api.state(incident)));
        await().atMost(Duration.ofSeconds(10)).until(() -> !events.notes(incident).isEmpty());
        assertThat(events.notes(incident).get(0).text()).isEqualTo("P1 reached");
        assertThat(Api.runs(incident).getString("items[0].trigger")).isEqualTo("priority");

        feed.send(new PriorityChanged(UUID.randomUUID(), incident, TestClock.CLOCK.instant(), Priority.P1,
                Priority.P2, "tocsin", "resolved"),
                new PriorityChanged(UUID.randomUUID(), incident, TestClock.CLOCK.instant(), Priority.P2, Priority.P0,
                        "tocsin", "fired"));
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(Api.runs(incident).getList("items")).as("max_runs_per_incident is 1").hasSize(1);
        assertThat(events.notes(incident)).hasSize(1);
    }

    @Test
    void anIncidentThatOpensAlreadyUrgentStartsItsPriorityRunbookAtOnce() {
        UUID incident = incident(Priority.P0, "priority", "p2");

        await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(Api.state(incident)));
        assertThat(Api.runs(incident).getList("items", Map.class)).extracting(m -> m.get("trigger"))
                .isEqualTo(List.of("priority"));
    }
}
