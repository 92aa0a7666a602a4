package io.tocsin.runbook.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.tocsin.events.Priority;

class RunbookFileParserTest {

    private static final RunbookFileParser.Settings SETTINGS = new RunbookFileParser.Settings(
            new HostPolicy(List.of("kube-api.internal:6443", "prometheus.internal:9090")), Set.of("/usr/bin/true"),
            "http://prometheus.internal:9090", Map.of("KUBE_TOKEN", "t0k3n-value")::get,
            Map.of("KUBE_API", "https://kube-api.internal:6443")::get);

    private static LoadedRunbook parse(String text) {
        return RunbookFileParser.parse(text, "r.yaml", SETTINGS);
    }

    @Test
    void aCompleteRunbookReadsWithEveryStepKind() {
        LoadedRunbook loaded = parse("""
                version: 1
                name: restart-checkout
                description: Restart checkout, then check it helped
                match:
                  labels: {service: checkout, namespace: "~prod-.*"}
                  min_priority: P1
                trigger: priority
                timeout: 20m
                max_runs_per_incident: 2
                cancel_on_resolve: false
                steps:
                  - name: restart
                    kind: http
                    method: patch
                    url: ${KUBE_API}/apis/apps/v1/namespaces/{{labels.namespace}}/deployments/{{labels.deployment}}
                    headers:
                      Authorization: Bearer {{secret.KUBE_TOKEN}}
                    body: '{"restartedAt": "{{now}}"}'
                    expect_status: [200, 201]
                    retries: 1
                  - name: settle
                    kind: wait
                    duration: 2m
                  - name: check
                    kind: prometheus-query
                    query: sum(rate(errors{service="{{labels.service | json}}"}[5m]))
                    condition: "< 0.01"
                    on_failure: continue
                  - name: healthy
                    kind: branch
                    if: {step: check, outcome: succeeded}
                    then: done
                  - name: ask
                    kind: approval
                    message: Scale {{labels.deployment}} up?
                    timeout: 15m
                  - name: probe
                    kind: shell
                    command: [/usr/bin/true, "{{labels.deployment}}"]
                  - name: done
                    kind: notify
                    message: Runbook finished for {{incident.title}}
                """);

        assertThat(loaded.errors()).isEmpty();
        Runbook runbook = loaded.runbook();
        assertThat(runbook.name()).isEqualTo("restart-checkout");
        assertThat(runbook.trigger()).isEqualTo(Trigger.PRIORITY);
        assertThat(runbook.match().minPriority()).isEqualTo(Priority.P1);
        assertThat(runbook.timeout()).isEqualTo(Duration.ofMinutes(20));
        assertThat(runbook.maxRunsPerIncident()).isEqualTo(2);
        assertThat(runbook.cancelOnResolve()).isFalse();
        assertThat(runbook.steps()).extracting(Step::kind).containsExactly("http", "wait", "prometheus-query",
                "branch", "approval", "shell", "notify");
        Step.Http restart = (Step.Http) runbook.steps().get(0);
        assertThat(restart.method()).isEqualTo("PATCH");
        assertThat(restart.idempotent()).as("PATCH is not idempotent by default").isFalse();
        assertThat(restart.expectStatus()).containsExactly(200, 201);
        assertThat(restart.url().toString()).startsWith("https://kube-api.internal:6443/apis/");
        Step.PrometheusQuery check = (Step.PrometheusQuery) runbook.steps().get(2);
        assertThat(check.url()).isEqualTo("http://prometheus.internal:9090");
        assertThat(check.onFailure()).isEqualTo(OnFailure.CONTINUE);
        assertThat(check.condition().test(0.004)).isTrue();
        assertThat(((Step.Branch) runbook.steps().get(3)).then()).isEqualTo("done");
        assertThat(loaded.warnings()).isEmpty();
    }

    @Test
    void everyProblemIsReportedWithItsLine() {
        LoadedRunbook loaded = parse("""
                version: 1
                name: Bad Name
                trigger: sometimes
                colour: blue
                steps:
                  - name: call
                    kind: http
                    url: https://{{labels.host}}/restart
                  - name: leak
                    kind: http
                    url: https://kube-api.internal:6443/x?token={{secret.KUBE_TOKEN}}
                  - name: loop
                    kind: branch
                    if: {step: later, outcome: failed}
                    then: call
                  - name: later
                    kind: wait
                    duration: soon
                  - name: rm
                    kind: shell
                    command: [/bin/rm, -rf, /]
                  - name: evil
                    kind: notify
                    message: "{{ T(java.lang.Runtime).getRuntime() }}"
                  - name: later
                    kind: teleport
                """);

        assertThat(loaded.valid()).isFalse();
        assertThat(loaded.errors()).anySatisfy(e -> assertThat(e).startsWith("r.yaml:2: name:"))
                .anySatisfy(e -> assertThat(e).startsWith("r.yaml:3: trigger:").contains("sometimes"))
                .anySatisfy(e -> assertThat(e).startsWith("r.yaml:4: colour: unknown key"))
                .anySatisfy(e -> assertThat(e).startsWith("r.yaml:8: steps[0] (call).url:")
                        .contains("scheme, host and port must be written out"))
                .anySatisfy(e -> assertThat(e).startsWith("r.yaml:11: steps[1] (leak).url:")
                        .contains("secrets may be used in headers and bodies only"))
                .anySatisfy(e -> assertThat(e).startsWith("r.yaml:14: steps[2] (loop).if.step:")
                        .contains("earlier step"))
                .anySatisfy(e -> assertThat(e).startsWith("r.yaml:15: steps[2] (loop).then:")
                        .contains("later step"))
                .anySatisfy(e -> assertThat(e).startsWith("r.yaml:18: steps[3] (later).duration:"))
                .anySatisfy(e -> assertThat(e).startsWith("r.yaml:21: steps[4] (rm).command:")
                        .contains("/bin/rm is not in TOCSIN_RUNBOOK_SHELL_ALLOWLIST"))
                .anySatisfy(e -> assertThat(e).startsWith("r.yaml:24: steps[5] (evil).message:")
                        .contains("unknown variable"))
                .anySatisfy(e -> assertThat(e).contains("steps[6].name: \"later\" is used by an earlier step"))
                .anySatisfy(e -> assertThat(e).contains("steps[6].kind: \"teleport\" is not a step kind"));
    }

    @Test
    void aHostOffTheAllowlistOrAMissingSecretIsAWarningNotAnError() {
        LoadedRunbook loaded = parse("""
                version: 1
                name: elsewhere
                steps:
                  - name: call
                    kind: http
                    url: https://example.com/hook
                    headers: {X-Token: "{{secret.NOPE}}"}
                """);

        assertThat(loaded.valid()).isTrue();
        assertThat(loaded.warnings()).anySatisfy(w -> assertThat(w).startsWith("r.yaml:6:")
                .contains("example.com:443 is not on the allowlist"))
                .anySatisfy(w -> assertThat(w).startsWith("r.yaml:7:").contains("TOCSIN_RUNBOOK_SECRET_NOPE is not set"));
    }

    @Test
    void aDurationTypoIsAnErrorNotACrash() {
        LoadedRunbook loaded = parse("""
                version: 1
                name: typo
                timeout: 99999999999999999999s
                steps:
                  - name: pause
                    kind: wait
                    duration: 8d
                  - name: call
                    kind: http
                    url: https://kube-api.internal:6443/x
                    timeout: 0s
                """);

        assertThat(loaded.errors()).containsExactly(
                "r.yaml:3: timeout: \"99999999999999999999s\" is too long; at most 366 days",
                "r.yaml:7: steps[0] (pause).duration: \"8d\" is not a duration; use such as 500ms, 30s, 15m or 2h",
                "r.yaml:11: steps[1] (call).timeout: must be more than 0 and at most 7 days");
    }

    @Test
    void tocsinsOwnSettingsCannotBeReadIntoARunbookInAnyCase() {
        LoadedRunbook loaded = parse("""
                version: 1
                name: nosy
                steps:
                  - name: tell
                    kind: notify
                    message: "tokens: ${TOCSIN_API_TOKENS}"
                  - name: sly
                    kind: notify
                    message: "${tocsin_runbook_secret_KUBE_TOKEN} ${Quarkus_Datasource_Password}"
                """);

        assertThat(loaded.errors()).hasSize(3).allSatisfy(e -> assertThat(e).contains(
                "Tocsin's own settings cannot be read into a runbook"));
        assertThat(loaded.errors().get(0)).startsWith("r.yaml:6: steps[0] (tell).message: "
                + "${TOCSIN_API_TOKENS}: Tocsin's own settings cannot be read into a runbook");
    }

    @Test
    void stepsThatCannotFailTakeNoOnFailureAndHeadersTocsinSetsCannotBeGiven() {
        LoadedRunbook loaded = parse("""
                version: 1
                name: odd
                steps:
                  - name: pause
                    kind: wait
                    duration: 1m
                    on_failure: continue
                  - name: call
                    kind: http
                    url: https://kube-api.internal:6443/x
                    headers: {Host: elsewhere.com}
                """);

        assertThat(loaded.errors()).containsExactly(
                "r.yaml:7: steps[0] (pause).on_failure: a wait step cannot fail on its own; on_failure applies to "
                        + "http, prometheus-query, approval and shell",
                "r.yaml:11: steps[1] (call).headers.Host: is set by Tocsin itself and cannot be given");
    }

    @Test
    void waitsAndApprovalsLongerThanTheRunTimeoutAreAWarning() {
        LoadedRunbook loaded = parse("""
                version: 1
                name: slow
                timeout: 20m
                steps:
                  - name: pause
                    kind: wait
                    duration: 10m
                  - name: ask
                    kind: approval
                    message: go?
                """);

        assertThat(loaded.valid()).isTrue();
        assertThat(loaded.warnings()).singleElement().asString().isEqualTo("r.yaml:3: timeout: the run may time out "
                + "(20 min) before its steps can end: their waits, approvals and call timeouts add up to 40 min");
    }

    @Test
    void shellStepsAreOffUnlessTheProgramIsAllowlisted() {
        LoadedRunbook loaded = RunbookFileParser.parse("""
                version: 1
                name: shell
                steps:
                  - name: run
                    kind: shell
                    command: [/usr/bin/true]
                """, "s.yaml", new RunbookFileParser.Settings(new HostPolicy(List.of()), Set.of(), null, n -> null,
                n -> null));

        assertThat(loaded.errors()).singleElement().asString()
                .isEqualTo("s.yaml:6: steps[0] (run).command: shell steps are off; list /usr/bin/true in "
                        + "TOCSIN_RUNBOOK_SHELL_ALLOWLIST to allow it");
    }

    @Test
    void brokenYamlNamesItsLine() {
        LoadedRunbook loaded = parse("version: 1\nname: x\nsteps:\n  - name: [unclosed\n");

        assertThat(loaded.errors()).singleElement().asString().startsWith("r.yaml:").contains("not valid YAML");
    }
}
