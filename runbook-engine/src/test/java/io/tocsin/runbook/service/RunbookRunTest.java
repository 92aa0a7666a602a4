package io.tocsin.runbook.service;

import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.patch;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.tocsin.events.AlertAttached;
import io.tocsin.events.AlertsAttached;
import io.tocsin.events.IncidentCommand;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.IncidentOpened;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.Priority;
import io.tocsin.events.RunbookCommand;
import io.tocsin.events.RunbookEvent;
import io.tocsin.runbook.Api;
import io.tocsin.runbook.Fakes;
import io.tocsin.runbook.IncidentFeed;
import io.tocsin.runbook.LogCapture;
import io.tocsin.runbook.RunbookEvents;
import io.tocsin.runbook.TestClock;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;

/**
 * A runbook from the incident that starts it to its end, against a fake Kubernetes API and Prometheus: restart, a
 * durable wait, a check, a branch, an approval (approved, denied, timed out), a note, and cancellation on resolve.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(Fakes.class)
class RunbookRunTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    IncidentFeed feed;
    RunbookEvents events;
    LogCapture logs;

    @BeforeEach
    void open() {
        feed = IncidentFeed.to(broker.bootstrapServers());
        events = new RunbookEvents(broker.bootstrapServers());
        logs = LogCapture.install();
        Fakes.http().stubFor(patch(urlPathMatching("/apis/apps/v1/namespaces/.*")).willReturn(
                okJson("{\"kind\":\"Deployment\",\"token-echo\":\"" + Fakes.KUBE_TOKEN + "\"}")));
        Fakes.http().stubFor(get(urlPathEqualTo("/prom/api/v1/query")).atPriority(10).willReturn(prometheus("0.2")));
    }

    @AfterEach
    void close() {
        events.close();
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder prometheus(String value) {
        return okJson("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":"
                + "{\"deployment\":\"x\"},\"value\":[1764471600,\"" + value + "\"]}]}}");
    }

    private UUID incident(String deployment) {
        UUID incident = UUID.randomUUID();
        feed.send(IncidentFeed.opened(incident, Priority.P1, Map.of("alertname", "CheckoutErrors", "service",
                "checkout", "test", "full", "namespace", "shop", "deployment", deployment)));
        return incident;
    }

    private void waitingAt(UUID incident, String step) {
        await().atMost(Duration.ofSeconds(30)).until(() -> events.kinds(incident).contains("step.started " + step)
                || events.kinds(incident).contains("approval.requested " + step));
    }

    @Test
    void aHealthyCheckAfterTheRestartSkipsTheApprovalAndTheRunSucceeds() {
        Fakes.http().stubFor(get(urlPathEqualTo("/prom/api/v1/query")).withQueryParam("query", containing("healthy-1"))
                .willReturn(prometheus("0.004")));
        UUID incident = incident("healthy-1");

        waitingAt(incident, "settle");
        List<LoggedRequest> restarts = Fakes.requests("/apis/apps/v1/namespaces/shop/deployments/healthy-1");
        assertThat(restarts).singleElement().satisfies(request -> {
            assertThat(request.getMethod().value()).isEqualTo("PATCH");
            assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + Fakes.KUBE_TOKEN);
            assertThat(request.getHeader("Content-Type")).startsWith("application/strategic-merge-patch+json");
            assertThat(request.getBodyAsString()).contains("\"kubectl.kubernetes.io/restartedAt\":\"20");
        });
        assertThat(Api.state(incident)).isEqualTo("running");
        assertThat(Api.run(incident).getString("currentStepState")).isEqualTo("waiting");

        TestClock.CLOCK.advance(Duration.ofMinutes(2));

        await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(Api.state(incident)));
        await().atMost(Duration.ofSeconds(10)).until(() -> events.kinds(incident).contains("run.succeeded"));
        assertThat(events.kinds(incident)).containsExactly("run.started", "step.started restart",
                "step.succeeded restart", "step.started settle", "step.succeeded settle", "step.started check",
                "step.succeeded check", "step.succeeded healthy", "step.succeeded done", "run.succeeded");
        assertThat(events.of(incident)).allSatisfy(e -> {
            assertThat(e.runbook()).isEqualTo("restart-and-check");
            assertThat(e.dryRun()).isFalse();
        });
        assertThat(Fakes.requests("/apis/apps/v1/namespaces/shop/deployments/healthy-1/scale")).isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> !events.notes(incident).isEmpty());
        IncidentCommand note = events.notes(incident).get(0);
        assertThat(note.action()).isEqualTo(IncidentCommand.Action.ADD_NOTE);
        assertThat(note.actor()).isEqualTo("runbook:restart-and-check");
        assertThat(note.text()).isEqualTo("restart-and-check finished for healthy-1");

        JsonPath run = Api.run(incident);
        assertThat(run.getList("steps.name")).containsExactly("restart", "settle", "check", "healthy", "done");
        assertThat(run.getList("steps.state")).containsOnly("succeeded");
        assertThat(run.getString("steps[0].input")).contains("PATCH " + Fakes.baseUrl()
                + "/apis/apps/v1/namespaces/shop/deployments/healthy-1").contains("Bearer [secret KUBE_TOKEN]");
        assertThat(run.getString("steps[0].output")).contains("[secret KUBE_TOKEN]");
        assertThat(run.getString("steps[2].output")).contains("0.004");
        assertThat(run.getString("steps[3].output")).isNull();
        assertThat(run.prettify()).doesNotContain(Fakes.KUBE_TOKEN);
        assertThat(events.of(incident)).extracting(RunbookEvent::summary)
                .noneMatch(summary -> summary != null && summary.contains(Fakes.KUBE_TOKEN));
        assertThat(logs.lines()).noneMatch(line -> line.contains(Fakes.KUBE_TOKEN));
    }

    @Test
    void stillBrokenAsksAndAnApprovalFromTheApiScalesUp() {
        UUID incident = incident("broken-approved");
        waitingAt(incident, "settle");
        TestClock.CLOCK.advance(Duration.ofMinutes(2));
        waitingAt(incident, "ask");

        RunbookEvent asked = events.of(incident).stream()
                .filter(e -> e.kind() == RunbookEvent.Kind.APPROVAL_REQUESTED).findFirst().orElseThrow();
        assertThat(asked.summary()).isEqualTo("The error ratio of broken-approved is still high. Scale it to 6 replicas?");
        assertThat(asked.stepIndex()).isEqualTo(4);
        assertThat(asked.approvalExpiresAt()).isEqualTo(asked.occurredAt().plus(Duration.ofMinutes(10)));
        assertThat(Fakes.requests("/apis/apps/v1/namespaces/shop/deployments/broken-approved/scale")).isEmpty();
        String runId = Api.runs(incident).getString("items[0].id");

        Api.call().body("{\"step\": 1}").post("/api/v1/runbook-runs/" + runId + "/approve").then().statusCode(409);
        Api.call().body("{\"reason\": \"graphs agree\", \"step\": 4}").post("/api/v1/runbook-runs/" + runId
                + "/approve").then().statusCode(200);

        await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(Api.state(incident)));
        await().atMost(Duration.ofSeconds(10)).until(() -> events.kinds(incident).contains("run.succeeded"));
        assertThat(Fakes.requests("/apis/apps/v1/namespaces/shop/deployments/broken-approved/scale"))
                .singleElement().satisfies(r -> assertThat(r.getBodyAsString()).isEqualTo("{\"spec\":{\"replicas\":6}}"));
        assertThat(events.of(incident)).filteredOn(e -> e.kind() == RunbookEvent.Kind.APPROVED).singleElement()
                .satisfies(e -> {
                    assertThat(e.actor()).isEqualTo("api:tests");
                    assertThat(e.summary()).isEqualTo("approved by api:tests: graphs agree");
                });
        JsonPath run = Api.run(incident);
        assertThat(run.getString("steps.find { it.name == 'ask' }.state")).isEqualTo("approved");
        assertThat(run.getString("steps.find { it.name == 'ask' }.actor")).isEqualTo("api:tests");
        assertThat(run.getString("steps.find { it.name == 'check' }.state")).isEqualTo("failed");

        Api.call().post("/api/v1/runbook-runs/" + runId + "/approve").then().statusCode(409);
    }

    @Test
    void aDenialFromSlackStopsTheRunAndAPressForAnOtherStepOrAgainChangesNothing() {
        UUID incident = incident("broken-denied");
        waitingAt(incident, "settle");
        TestClock.CLOCK.advance(Duration.ofMinutes(2));
        waitingAt(incident, "ask");
        UUID runId = UUID.fromString(Api.runs(incident).getString("items[0].id"));

        feed.command(new RunbookCommand(UUID.randomUUID(), runId, incident, 1, RunbookCommand.Action.APPROVE,
                "slack:ULATE", TestClock.CLOCK.instant(), null));
        RunbookCommand deny = new RunbookCommand(UUID.randomUUID(), runId, incident, 4, RunbookCommand.Action.DENY,
                "slack:U0ANA", TestClock.CLOCK.instant(), "not at peak time");
        feed.command(deny);
        feed.command(deny);

        await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(Api.state(incident)));
        await().atMost(Duration.ofSeconds(10)).until(() -> events.kinds(incident).contains("run.failed"));
        assertThat(events.of(incident)).filteredOn(e -> e.kind() == RunbookEvent.Kind.DENIED).singleElement()
                .satisfies(e -> assertThat(e.actor()).isEqualTo("slack:U0ANA"));
        assertThat(events.kinds(incident)).doesNotContain("approval.approved ask").endsWith("run.failed");
        assertThat(Api.run(incident).getString("result")).isEqualTo(
                "step ask denied: denied by slack:U0ANA: not at peak time");
        assertThat(Fakes.requests("/apis/apps/v1/namespaces/shop/deployments/broken-denied/scale")).isEmpty();
    }

    @Test
    void anApprovalNobodyAnswersTimesOut() {
        UUID incident = incident("broken-ignored");
        waitingAt(incident, "settle");
        TestClock.CLOCK.advance(Duration.ofMinutes(2));
        waitingAt(incident, "ask");

        TestClock.CLOCK.advance(Duration.ofMinutes(10));

        await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(Api.state(incident)));
        await().atMost(Duration.ofSeconds(10)).until(() -> events.kinds(incident).contains("approval.timed-out ask"));
        assertThat(Api.run(incident).getString("steps.find { it.name == 'ask' }.state")).isEqualTo("timed-out");
        assertThat(Fakes.requests("/apis/apps/v1/namespaces/shop/deployments/broken-ignored/scale")).isEmpty();
    }

    @Test
    void aRunThatOutlastsItsTimeoutFailsWhereverItIs() {
        UUID incident = incident("too-slow");
        waitingAt(incident, "settle");

        TestClock.CLOCK.advance(Duration.ofMinutes(61));

        await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(Api.state(incident)));
        JsonPath run = Api.run(incident);
        assertThat(run.getString("result")).isEqualTo("timed out after 1 h during step settle");
        assertThat(run.getString("steps.find { it.name == 'settle' }.state")).isEqualTo("failed");
        await().atMost(Duration.ofSeconds(10)).until(() -> events.kinds(incident).contains("run.failed"));
        assertThat(events.kinds(incident)).doesNotContain("step.succeeded settle");
    }

    @Test
    void runsStepsAndApprovalsAreCountedOnTheMetricsPage() {
        UUID incident = incident("metered");
        waitingAt(incident, "settle");
        TestClock.CLOCK.advance(Duration.ofMinutes(2));
        waitingAt(incident, "ask");

        await().atMost(Duration.ofSeconds(10)).until(() -> metric("tocsin_runbook_approvals_pending") >= 1);
        String metrics = io.restassured.RestAssured.given().get("/q/metrics").then().statusCode(200).extract()
                .asString();
        assertThat(metrics).contains("tocsin_runbook_runs_started_total{runbook=\"restart-and-check\",trigger=\"opened\"}")
                .contains("tocsin_runbook_steps_total{kind=\"http\",outcome=\"succeeded\",runbook=\"restart-and-check\"}")
                .contains("tocsin_runbook_step_duration_seconds_bucket{kind=\"wait\",runbook=\"restart-and-check\"");
        Api.call().post("/api/v1/runbook-runs/" + Api.runs(incident).getString("items[0].id") + "/deny").then()
                .statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> io.restassured.RestAssured.given().get("/q/metrics")
                .asString().contains("tocsin_runbook_runs_total{outcome=\"failed\",runbook=\"restart-and-check\"}"));
    }

    private static double metric(String name) {
        return io.restassured.RestAssured.given().get("/q/metrics").asString().lines()
                .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void anIncidentEventFromLongAgoStartsNothing() {
        UUID incident = UUID.randomUUID();
        Instant then = TestClock.CLOCK.instant().minus(Duration.ofHours(2));
        feed.send(new IncidentOpened(UUID.randomUUID(), incident, then, "alertname=Old", "Old", "checkout",
                Priority.P1, Map.of("alertname", "Old")),
                new AlertAttached(UUID.randomUUID(), incident, then, "f0", Map.of("alertname", "Old", "test", "full",
                        "namespace", "shop", "deployment", "replayed"), Map.of(), then, null, Priority.P1));

        // Once the engine knows the first alert's labels, it has decided about starting runbooks.
        await().atMost(Duration.ofSeconds(30)).until(() -> Api.call().post("/api/v1/incidents/" + incident
                + "/runbooks/manual-echo/run").then().extract().asString().contains("label test is \\\"full\\\""));
        assertThat(Api.runs(incident).getList("items")).isEmpty();
        assertThat(Fakes.requests("/apis/apps/v1/namespaces/shop/deployments/replayed")).isEmpty();
    }

    @Test
    void firstAlertsAttachedTogetherStartTheRunbookOnceOnTheFirstOnesLabels() {
        UUID incident = UUID.randomUUID();
        Instant now = TestClock.CLOCK.instant();
        Map<String, String> first = Map.of("alertname", "CheckoutErrors", "test", "full", "namespace", "shop",
                "deployment", "together-first");
        Map<String, String> second = Map.of("alertname", "CheckoutErrors", "test", "full", "namespace", "shop",
                "deployment", "together-second");
        feed.send(new IncidentOpened(UUID.randomUUID(), incident, now, "alertname=CheckoutErrors", "Checkout",
                "checkout", Priority.P1, Map.of("alertname", "CheckoutErrors")),
                AlertsAttached.of(UUID.randomUUID(), incident, now, List.of(
                        new AlertAttached(UUID.randomUUID(), incident, now, "t1", first, Map.of(), now, null,
                                Priority.P1),
                        new AlertAttached(UUID.randomUUID(), incident, now, "t2", second, Map.of(), now, null,
                                Priority.P1))));

        waitingAt(incident, "settle");
        assertThat(Api.runs(incident).getList("items")).hasSize(1);
        String inputs = String.valueOf(Api.run(incident).getList("steps.input"));
        assertThat(inputs).contains("together-first").doesNotContain("together-second");
    }

    @Test
    void resolvingTheIncidentCancelsItsRunAndARedeliveredOpeningStartsNoSecondRun() {
        UUID incident = UUID.randomUUID();
        IncidentEvent[] opening = IncidentFeed.opened(incident, Priority.P1, Map.of("alertname", "CheckoutErrors",
                "test", "full", "namespace", "shop", "deployment", "resolved-soon"));
        feed.send(opening);
        waitingAt(incident, "settle");
        feed.send(opening);

        feed.send(new IncidentResolved(UUID.randomUUID(), incident, TestClock.CLOCK.instant(), "tocsin",
                "every alert resolved"));

        await().atMost(Duration.ofSeconds(30)).until(() -> "cancelled".equals(Api.state(incident)));
        assertThat(Api.runs(incident).getList("items")).hasSize(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.kinds(incident).contains("run.cancelled"));
        assertThat(events.kinds(incident)).containsSubsequence("step.failed settle", "run.cancelled");
        assertThat(Api.run(incident).getString("result")).isEqualTo("cancelled by tocsin: the incident resolved");
        TestClock.CLOCK.advance(Duration.ofMinutes(3));
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
        assertThat(Fakes.requests("/prom/api/v1/query")).noneMatch(r -> r.getUrl().contains("resolved-soon"));
    }
}
