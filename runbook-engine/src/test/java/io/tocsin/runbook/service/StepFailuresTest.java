package io.tocsin.runbook.service;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.http.Fault;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tocsin.events.Priority;
import io.tocsin.events.RunbookEvent;
import io.tocsin.runbook.Api;
import io.tocsin.runbook.Db;
import io.tocsin.runbook.Fakes;
import io.tocsin.runbook.IncidentFeed;
import io.tocsin.runbook.RunbookEvents;
import io.tocsin.runbook.TestClock;
import io.tocsin.runbook.domain.RunbookCatalog;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;

/** What goes wrong with a step: 5xx then success, timeouts, 4xx, refused hosts, and calls cut off by a crash. */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(Fakes.class)
class StepFailuresTest {

    @InjectKafkaBroker
    KafkaBroker broker;

    @Inject
    RunbookCatalog catalog;

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

    private UUID incident(String test, String deployment) {
        UUID incident = UUID.randomUUID();
        feed.send(IncidentFeed.opened(incident, Priority.P2, Map.of("alertname", "Flaky", "test", test,
                "deployment", deployment)));
        return incident;
    }

    private String summary(UUID incident, RunbookEvent.Kind kind, String step) {
        return events.of(incident).stream().filter(e -> e.kind() == kind && step.equals(e.step())).findFirst()
                .map(RunbookEvent::summary).orElse(null);
    }

    @Test
    void a503IsRetriedAfterABackoffAndTheSecondAttemptSucceeds() {
        Fakes.http().stubFor(get(urlPathEqualTo("/flaky/retry-1")).inScenario("retry").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("up"));
        Fakes.http().stubFor(get(urlPathEqualTo("/flaky/retry-1")).inScenario("retry").whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody("ok")));
        UUID incident = incident("retry", "retry-1");

        await().atMost(Duration.ofSeconds(30)).until(() -> Fakes.requests("/flaky/retry-1").size() == 1);
        assertThat(Api.run(incident).getString("currentStepState")).isEqualTo("due");
        TestClock.CLOCK.advance(Duration.ofSeconds(1));

        await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(Api.state(incident)));
        assertThat(Fakes.requests("/flaky/retry-1")).hasSize(2);
        await().atMost(Duration.ofSeconds(10)).until(() -> summary(incident, RunbookEvent.Kind.STEP_SUCCEEDED,
                "call") != null);
        assertThat(summary(incident, RunbookEvent.Kind.STEP_SUCCEEDED, "call")).isEqualTo("HTTP 200 (attempt 2)");
        assertThat(Api.run(incident).getInt("steps[0].attempts")).isEqualTo(2);
    }

    @Test
    void aCallThatNeverAnswersTimesOutOnEveryAttemptAndFailsTheRun() {
        Fakes.http().stubFor(get(urlPathEqualTo("/flaky/slow-1")).willReturn(aResponse().withStatus(200)
                .withFixedDelay(3000)));
        UUID incident = incident("retry", "slow-1");

        await().atMost(Duration.ofSeconds(60)).until(() -> {
            TestClock.CLOCK.advance(Duration.ofSeconds(1));
            return "failed".equals(Api.state(incident));
        });
        assertThat(Fakes.requests("/flaky/slow-1")).hasSize(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> summary(incident, RunbookEvent.Kind.STEP_FAILED,
                "call") != null);
        assertThat(summary(incident, RunbookEvent.Kind.STEP_FAILED, "call"))
                .isEqualTo("no answer within 1000 ms (attempt 3)");
    }

    @Test
    void aPostThatGotNoAnswerIsNotMadeAgainSinceItMayHaveTakenEffect() {
        Fakes.http().stubFor(post(urlPathEqualTo("/slow-post/sp-1")).willReturn(aResponse().withStatus(200)
                .withFixedDelay(3000)));
        UUID incident = incident("slow-post", "sp-1");

        await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(Api.state(incident)));
        assertThat(Fakes.requests("/slow-post/sp-1")).hasSize(1);
        assertThat(Api.run(incident).getString("result")).isEqualTo("step call failed: no answer within 1000 ms; not "
                + "made again because the step is not idempotent and may have taken effect");
    }

    @Test
    void aPostWhoseConnectionBrokeAfterSendingIsNotMadeAgain() {
        Fakes.http().stubFor(post(urlPathEqualTo("/slow-post/reset-1")).willReturn(aResponse()
                .withFault(Fault.CONNECTION_RESET_BY_PEER)));
        UUID incident = incident("slow-post", "reset-1");

        await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(Api.state(incident)));
        assertThat(Fakes.requests("/slow-post/reset-1")).hasSize(1);
        assertThat(Api.run(incident).getString("result")).startsWith("step call failed: could not call 127.0.0.1: ")
                .endsWith("not made again because the step is not idempotent and may have taken effect");
    }

    @Test
    void aHugeAnswerIsCutAtFourKilobytes() {
        Fakes.http().stubFor(get(urlPathEqualTo("/flaky/huge-1")).willReturn(aResponse().withStatus(200)
                .withBody("x".repeat(2_000_000))));
        UUID incident = incident("retry", "huge-1");

        await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(Api.state(incident)));
        assertThat(Api.run(incident).getString("steps[0].output")).hasSize(4097 + "… (truncated)".length() - 1)
                .endsWith("… (truncated)");
    }

    @Test
    void aLabelThatWouldWalkUpTheUrlPathIsRefused() {
        UUID incident = incident("retry", "..");

        await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(Api.state(incident)));
        assertThat(Api.run(incident).getString("result")).isEqualTo(
                "step call failed: refused: labels.deployment is \"..\", which cannot be part of a URL");
    }

    @Test
    void aHeaderValueWithALineBreakIsRefusedWithoutShowingIt() {
        UUID incident = incident("headers", "two\nlines");

        await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(Api.state(incident)));
        await().atMost(Duration.ofSeconds(10)).until(() -> events.kinds(incident).contains("run.failed"));
        assertThat(summary(incident, RunbookEvent.Kind.STEP_FAILED, "label-header")).isEqualTo("refused: header "
                + "X-Deployment: its value holds a line break or another control character once filled in (a secret "
                + "or label with a trailing newline?)");
        assertThat(summary(incident, RunbookEvent.Kind.STEP_FAILED, "secret-header")).startsWith(
                "refused: header Authorization: its value holds a line break");
        assertThat(Api.run(incident).prettify()).doesNotContain(Fakes.FILE_TOKEN.strip());
        assertThat(events.of(incident)).extracting(RunbookEvent::summary)
                .noneMatch(text -> text != null && text.contains(Fakes.FILE_TOKEN.strip()));
        assertThat(Fakes.requests("/headers/")).isEmpty();
    }

    @Test
    void a404FailsAtOnceWithoutRetrying() {
        Fakes.http().stubFor(get(urlPathEqualTo("/flaky/gone-1")).willReturn(aResponse().withStatus(404)));
        UUID incident = incident("retry", "gone-1");

        await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(Api.state(incident)));
        assertThat(Fakes.requests("/flaky/gone-1")).hasSize(1);
        assertThat(Api.run(incident).getString("result")).isEqualTo("step call failed: HTTP 404");
    }

    @Test
    void hostsOffTheAllowlistAndMetadataAddressesAreNeverCalled() {
        UUID incident = incident("refused", "refused-1");

        await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(Api.state(incident)));
        await().atMost(Duration.ofSeconds(10)).until(() -> events.kinds(incident).contains("run.failed"));
        assertThat(summary(incident, RunbookEvent.Kind.STEP_FAILED, "elsewhere")).isEqualTo(
                "refused: host example.com:80 is not on the allowlist (TOCSIN_RUNBOOK_HTTP_ALLOWED_HOSTS: "
                        + "127.0.0.1,169.254.169.254)");
        assertThat(summary(incident, RunbookEvent.Kind.STEP_FAILED, "metadata")).isEqualTo(
                "refused: host 169.254.169.254 resolves to 169.254.169.254, a link-local or cloud-metadata address, "
                        + "which runbooks may never call");
        assertThat(events.kinds(incident)).doesNotContain("step.started metadata", "step.started elsewhere");
    }

    @Test
    void afterACrashDuringACallANonIdempotentStepFailsVisiblyAndAnIdempotentOneIsMadeAgain() {
        Fakes.http().stubFor(post(urlPathEqualTo("/cutoff/post/cut-1")).willReturn(aResponse().withStatus(200)));
        Fakes.http().stubFor(get(urlPathEqualTo("/cutoff/get/cut-2")).willReturn(aResponse().withStatus(200)));
        UUID postIncident = UUID.randomUUID();
        UUID getIncident = UUID.randomUUID();
        UUID postRun = UUID.randomUUID();
        UUID getRun = UUID.randomUUID();
        Instant now = TestClock.CLOCK.instant();
        // What a crash mid-call leaves behind: the step marked in flight, its deadline for an answer passed.
        for (Object[] crashed : new Object[][] { { postIncident, postRun, 0, "post", "cut-1" },
                { getIncident, getRun, 1, "get", "cut-2" } }) {
            Db.update("insert into runbook.incident_view (incident_id, title, priority, state, labels, annotations, opened_at, "
                    + "updated_at) values (?, 'Crashed', 'P2', 'open', ?::jsonb, '{}'::jsonb, ?, ?)", crashed[0],
                    "{\"test\":\"cut-off\",\"deployment\":\"" + crashed[4] + "\"}", ts(now), ts(now));
            Db.update("insert into runbook.run (id, incident_id, runbook, definition_hash, trigger, started_by, dry_run, "
                    + "cancel_on_resolve, state, step_index, step_state, attempt, next_at, deadline, started_at) values "
                    + "(?, ?, 'cut-off', ?, 'manual', 'api:tests', false, true, 'running', ?, 'in-flight', 1, ?, ?, ?)",
                    crashed[1], crashed[0], hash("cut-off"), crashed[2], ts(now.minusSeconds(1)),
                    ts(now.plusSeconds(3600)), ts(now.minusSeconds(60)));
            Db.update("insert into runbook.run_step (run_id, step_index, name, kind, state, attempts, started_at) values "
                    + "(?, ?, ?, 'http', 'running', 1, ?)", crashed[1], crashed[2], crashed[3], ts(now.minusSeconds(60)));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> "failed".equals(Api.state(postIncident))
                && "succeeded".equals(Api.state(getIncident)));
        assertThat(Fakes.requests("/cutoff/post/cut-1")).as("a POST that may have taken effect is not made again")
                .isEmpty();
        assertThat(Api.run(postIncident).getString("result")).isEqualTo("step post failed: cut off by a restart "
                + "during attempt 1; whether it took effect is unknown, and it is not made again because the step is "
                + "not idempotent (idempotent: true allows it)");
        assertThat(Fakes.requests("/cutoff/get/cut-2")).as("a GET is made again").hasSize(1);
        assertThat(Api.run(getIncident).getInt("steps[0].attempts")).isEqualTo(2);
    }

    private static Timestamp ts(Instant instant) {
        return Timestamp.from(instant);
    }

    private String hash(String runbook) {
        return catalog.named(runbook).orElseThrow().hash();
    }
}
