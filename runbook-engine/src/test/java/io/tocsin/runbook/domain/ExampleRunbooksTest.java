package io.tocsin.runbook.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.tocsin.events.Priority;

/** The runbooks Tocsin ships in {@code examples/runbooks/} load as production loads them, and apply where they say. */
class ExampleRunbooksTest {

    /** Relative to the module folder, where surefire runs. */
    private static final Path EXAMPLES = Path.of("../examples/runbooks");

    /** As production: the hosts the examples call allowlisted, shell off, the secret set, no environment. */
    private static final RunbookFileParser.Settings SETTINGS = new RunbookFileParser.Settings(
            new HostPolicy(List.of("kubernetes.default.svc", "prometheus:9090")), Set.of(), null,
            Map.of("KUBE_TOKEN", "t0k3n-value")::get, name -> null);

    private static final Map<String, String> CRASH_LOOPING = Map.of("alertname", "KubePodCrashLooping", "namespace",
            "shop", "deployment", "checkout", "severity", "critical");
    private static final Map<String, String> SLOW = Map.of("alertname", "CheckoutHighLatency", "namespace", "shop",
            "deployment", "checkout", "service", "checkout", "severity", "critical");
    private static final Instant NOW = Instant.parse("2026-11-22T03:04:05Z");

    private static Map<String, LoadedRunbook> files;
    private static RunbookCatalog catalog;

    @BeforeAll
    static void load() throws IOException {
        files = new LinkedHashMap<>();
        try (Stream<Path> listing = Files.list(EXAMPLES)) {
            for (Path file : listing.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted().toList()) {
                String name = file.getFileName().toString();
                files.put(name, RunbookFileParser.parse(Files.readString(file), name, SETTINGS));
            }
        }
        catalog = new RunbookCatalog(List.copyOf(files.values()));
    }

    @Test
    void everyExampleLoadsWithoutErrorsOrWarnings() {
        assertThat(files).containsKeys("k8s-rollout-restart.yaml", "k8s-scale-up.yaml", "prometheus-check.yaml");
        files.values().forEach(file -> {
            assertThat(file.errors()).as(file.file()).isEmpty();
            assertThat(file.warnings()).as(file.file()).isEmpty();
            assertThat(file.valid()).as(file.file()).isTrue();
        });
        assertThat(files.values()).extracting(LoadedRunbook::name).doesNotHaveDuplicates();
    }

    @Test
    void everyPrometheusStepTakesTheDefaultAddressAndEveryRunOutlastsItsWaitsAndApprovals() {
        for (LoadedRunbook file : files.values()) {
            Duration waiting = Duration.ZERO;
            for (Step step : file.runbook().steps()) {
                if (step instanceof Step.PrometheusQuery query) {
                    assertThat(query.url()).as(file.file() + " " + step.name()).isEqualTo("http://prometheus:9090");
                } else if (step instanceof Step.Wait wait) {
                    waiting = waiting.plus(wait.duration());
                } else if (step instanceof Step.Approval approval) {
                    waiting = waiting.plus(approval.timeout());
                }
            }
            assertThat(file.runbook().timeout()).as(file.file()).isGreaterThan(waiting);
        }
    }

    @Test
    void restartStartsWhenADeploymentCrashLoopsAndPatchesItsPodTemplate() throws IOException {
        Runbook runbook = file("k8s-rollout-restart.yaml");

        assertThat(runbook.name()).isEqualTo("k8s-rollout-restart");
        assertThat(runbook.trigger()).isEqualTo(Trigger.OPENED);
        assertThat(runbook.dryRun()).as("ships as a dry run").isTrue();
        assertThat(runbook.steps()).extracting(Step::kind).containsExactly("http", "wait", "prometheus-query",
                "notify");
        assertThat(catalog.startingOn(Trigger.OPENED, CRASH_LOOPING, Priority.P0)).extracting(Runbook::name)
                .containsExactly("k8s-rollout-restart");
        assertThat(catalog.startingOn(Trigger.OPENED, without(CRASH_LOOPING, "deployment"), Priority.P0)).isEmpty();
        assertThat(catalog.startingOn(Trigger.OPENED, with(CRASH_LOOPING, "alertname", "KubePodNotReady"),
                Priority.P0)).isEmpty();

        Step.Http restart = (Step.Http) runbook.steps().get(0);
        Variables variables = variables(CRASH_LOOPING, runbook.name());
        assertThat(restart.method()).isEqualTo("PATCH");
        assertThat(restart.idempotent()).isFalse();
        assertThat(restart.url().render(variables.values(), Template.Encoding.URL))
                .isEqualTo("https://kubernetes.default.svc/apis/apps/v1/namespaces/shop/deployments/checkout");
        assertThat(restart.headers().get("Content-Type").toString())
                .isEqualTo("application/strategic-merge-patch+json");
        assertThat(restart.headers().get("Authorization").render(variables.redacted(), Template.Encoding.PLAIN))
                .isEqualTo("Bearer [secret KUBE_TOKEN]");
        JsonNode body = new ObjectMapper().readTree(restart.body().render(variables.values(),
                Template.Encoding.PLAIN));
        assertThat(body.path("spec").path("template").path("metadata").path("annotations")
                .path("kubectl.kubernetes.io/restartedAt").asText()).isEqualTo(NOW.toString());
    }

    @Test
    void scaleUpAsksFirstAndAHealthyCheckSkipsIt() throws IOException {
        Runbook runbook = file("k8s-scale-up.yaml");

        assertThat(runbook.name()).isEqualTo("k8s-scale-up");
        assertThat(runbook.trigger()).isEqualTo(Trigger.PRIORITY);
        assertThat(runbook.match().minPriority()).isEqualTo(Priority.P1);
        assertThat(runbook.dryRun()).as("ships as a dry run").isTrue();
        assertThat(runbook.steps()).extracting(Step::kind).containsExactly("prometheus-query", "branch",
                "prometheus-query", "approval", "http", "notify", "branch", "notify");
        assertThat(catalog.startingOn(Trigger.PRIORITY, SLOW, Priority.P1)).extracting(Runbook::name)
                .containsExactly("k8s-scale-up");
        assertThat(catalog.startingOn(Trigger.PRIORITY, SLOW, Priority.P2)).isEmpty();

        Step.PrometheusQuery check = (Step.PrometheusQuery) runbook.steps().get(0);
        Step.Branch skip = (Step.Branch) runbook.steps().get(1);
        assertThat(check.onFailure()).isEqualTo(OnFailure.CONTINUE);
        assertThat(skip.ifStep()).isEqualTo(check.name());
        assertThat(skip.ifOutcome()).isEqualTo(Outcome.FAILED);
        assertThat(runbook.indexOf(skip.then())).as("a healthy check jumps past the approval and the scale-up")
                .isGreaterThan(runbook.indexOf("scale-up"));
        assertThat(runbook.indexOf("approve-scale-up")).isLessThan(runbook.indexOf("scale-up"));
        assertThat(((Step.Branch) runbook.steps().get(6)).then()).isEqualTo("end");

        Step.Http scale = (Step.Http) runbook.steps().get(4);
        Variables variables = variables(SLOW, runbook.name());
        assertThat(scale.url().render(variables.values(), Template.Encoding.URL))
                .isEqualTo("https://kubernetes.default.svc/apis/apps/v1/namespaces/shop/deployments/checkout/scale");
        assertThat(scale.headers().get("Content-Type").toString()).isEqualTo("application/merge-patch+json");
        assertThat(scale.idempotent()).isTrue();
        assertThat(new ObjectMapper().readTree(scale.body().render(variables.values(), Template.Encoding.PLAIN))
                .path("spec").path("replicas").isInt()).isTrue();
    }

    @Test
    void errorRateCheckRunsOnlyByHandAndGoesOnWhenTheRatioIsHigh() {
        Runbook runbook = file("prometheus-check.yaml");

        assertThat(runbook.name()).isEqualTo("error-rate-check");
        assertThat(runbook.trigger()).isEqualTo(Trigger.MANUAL);
        assertThat(runbook.dryRun()).isNull();
        assertThat(runbook.steps()).extracting(Step::kind).containsExactly("prometheus-query", "branch", "notify",
                "branch", "notify");
        assertThat(runbook.steps().get(0).onFailure()).isEqualTo(OnFailure.CONTINUE);
        assertThat(runbook.match().labelMismatch(SLOW)).isNull();
        for (Trigger trigger : List.of(Trigger.OPENED, Trigger.PRIORITY)) {
            assertThat(catalog.startingOn(trigger, SLOW, Priority.P0)).extracting(Runbook::name)
                    .doesNotContain("error-rate-check");
        }
        Step.PrometheusQuery check = (Step.PrometheusQuery) runbook.steps().get(0);
        assertThat(check.query().render(variables(Map.of("service", "check\"out"), runbook.name()).values(),
                Template.Encoding.PLAIN)).as("a label value cannot close the PromQL string")
                .contains("service=\"check\\\"out\"");
    }

    private static Runbook file(String name) {
        return files.get(name).runbook();
    }

    private static Variables variables(Map<String, String> labels, String runbook) {
        return new Variables(UUID.randomUUID(), "Pods crash-looping", "P1", labels.get("service"), "open", labels,
                Map.of(), UUID.randomUUID(), runbook, NOW, Map.of("KUBE_TOKEN", "t0k3n-value")::get);
    }

    private static Map<String, String> with(Map<String, String> labels, String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(labels);
        copy.put(name, value);
        return copy;
    }

    private static Map<String, String> without(Map<String, String> labels, String name) {
        Map<String, String> copy = new LinkedHashMap<>(labels);
        copy.remove(name);
        return copy;
    }
}
