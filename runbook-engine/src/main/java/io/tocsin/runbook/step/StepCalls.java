package io.tocsin.runbook.step;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tocsin.runbook.config.RunbookConfig;
import io.tocsin.runbook.domain.HostPolicy;
import io.tocsin.runbook.domain.Outcome;
import io.tocsin.runbook.domain.Step;
import io.tocsin.runbook.domain.StepResult;
import io.tocsin.runbook.domain.Template;
import io.tocsin.runbook.domain.Variables;

/**
 * Prepares the steps that reach outside: HTTP calls, Prometheus queries and allowlisted programs. Requests go only to
 * allowlisted hosts, never to link-local or metadata addresses (checked on the name and again on every address it
 * resolves to), and never follow redirects, which could lead anywhere.
 */
@ApplicationScoped
public class StepCalls {

    /** The most of a response or a program's output that is kept. */
    static final int MAX_OUTPUT = 4096;

    private final HostPolicy hosts;
    private final Set<String> programs;
    private final ObjectMapper mapper;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

    public StepCalls(HostPolicy hosts, RunbookConfig config, ObjectMapper mapper) {
        this.hosts = hosts;
        this.programs = Set.copyOf(config.shellAllowlist().orElse(List.of()));
        this.mapper = mapper;
    }

    /**
     * The call for {@code step}.
     *
     * @throws Template.MissingValue when a template names a label, annotation or secret this incident lacks
     * @throws Refused when the step may not be made
     */
    public PreparedCall prepare(Step step, Variables variables) {
        if (step instanceof Step.Http http) {
            return http(http, variables);
        }
        if (step instanceof Step.PrometheusQuery query) {
            return prometheus(query, variables);
        }
        if (step instanceof Step.Shell shell) {
            return shell(shell, variables);
        }
        throw new IllegalArgumentException(step.kind() + " steps make no call");
    }

    private PreparedCall http(Step.Http step, Variables variables) {
        URI uri = uri(step.url().render(variables.values(), Template.Encoding.URL));
        String shownUrl = step.url().render(variables.redacted(), Template.Encoding.URL);
        Map<String, String> headers = new LinkedHashMap<>();
        StringBuilder input = new StringBuilder(step.method()).append(' ').append(shownUrl);
        step.headers().forEach((name, value) -> {
            headers.put(name, value.render(variables.values(), Template.Encoding.PLAIN));
            input.append('\n').append(name).append(": ").append(value.render(variables.redacted(),
                    Template.Encoding.PLAIN));
        });
        String body = step.body() == null ? null : step.body().render(variables.values(), Template.Encoding.PLAIN);
        if (body != null) {
            input.append("\n\n").append(step.body().render(variables.redacted(), Template.Encoding.PLAIN));
        }
        String described = input.toString();
        return new PreparedCall() {
            @Override
            public String describe() {
                return described;
            }

            @Override
            public Uni<StepResult> execute() {
                return blocking(() -> {
                    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(step.timeout())
                            .method(step.method(), body == null ? HttpRequest.BodyPublishers.noBody()
                                    : HttpRequest.BodyPublishers.ofString(body));
                    headers.forEach(request::header);
                    return send(request.build(), step.timeout(), step.idempotent(), variables,
                            status -> step.expectStatus().isEmpty() ? status / 100 == 2
                                    : step.expectStatus().contains(status),
                            (status, text) -> StepResult.succeeded("HTTP " + status, text));
                });
            }
        };
    }

    private PreparedCall prometheus(Step.PrometheusQuery step, Variables variables) {
        String query = step.query().render(variables.values(), Template.Encoding.PLAIN);
        URI uri = uri(step.url() + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
        String described = "query " + step.url() + ": " + variables.redact(query) + " (every sample " + step.condition()
                + ")";
        return new PreparedCall() {
            @Override
            public String describe() {
                return described;
            }

            @Override
            public Uni<StepResult> execute() {
                return blocking(() -> send(HttpRequest.newBuilder(uri).timeout(step.timeout())
                        .header("Accept", "application/json").GET().build(), step.timeout(), true, variables,
                        status -> status == 200, (status, text) -> evaluate(step, text)));
            }
        };
    }

    /** Tests every sample of an instant query's answer against the step's condition. */
    StepResult evaluate(Step.PrometheusQuery step, String answer) {
        JsonNode data;
        try {
            data = mapper.readTree(answer).path("data");
        } catch (IOException e) {
            return StepResult.failed("Prometheus answered something that is not JSON", answer);
        }
        List<String> samples = new ArrayList<>();
        String failing = null;
        String type = data.path("resultType").asText();
        List<JsonNode> results = new ArrayList<>();
        if ("scalar".equals(type)) {
            results.add(mapper.createObjectNode().set("value", data.path("result")));
        } else if ("vector".equals(type)) {
            data.path("result").forEach(results::add);
        } else {
            return StepResult.failed("the query returned a " + type + "; use an instant vector or a scalar", null);
        }
        for (JsonNode result : results) {
            String metric = result.path("metric").isEmpty() ? "" : result.path("metric").toString();
            String text = result.path("value").path(1).asText();
            double value;
            try {
                value = switch (text) {
                    case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
                    case "-Inf" -> Double.NEGATIVE_INFINITY;
                    default -> Double.parseDouble(text);
                };
            } catch (NumberFormatException e) {
                return StepResult.failed("sample " + metric + " is not a number: " + text, null);
            }
            samples.add(metric + " " + text);
            if (failing == null && !step.condition().test(value)) {
                failing = (metric.isEmpty() ? "the value" : "sample " + metric) + " is " + text + ", not "
                        + step.condition();
            }
        }
        String output = String.join("\n", samples);
        if (samples.isEmpty()) {
            return step.emptySucceeds() ? StepResult.succeeded("no samples (empty: succeeded)", "")
                    : StepResult.failed("no samples, so the condition " + step.condition() + " is not met", "");
        }
        if (failing != null) {
            return StepResult.failed(failing, output);
        }
        return StepResult.succeeded(samples.size() == 1 ? "the value is " + samples.get(0).trim() + ", "
                + step.condition() : "all " + samples.size() + " samples " + step.condition(), output);
    }

    private PreparedCall shell(Step.Shell step, Variables variables) {
        List<String> argv = step.command().stream().map(t -> t.render(variables.values(), Template.Encoding.PLAIN))
                .toList();
        if (!programs.contains(argv.get(0))) {
            throw new Refused(argv.get(0) + " is not in TOCSIN_RUNBOOK_SHELL_ALLOWLIST");
        }
        String described = String.join(" ", step.command().stream()
                .map(t -> t.render(variables.redacted(), Template.Encoding.PLAIN)).toList());
        return new PreparedCall() {
            @Override
            public String describe() {
                return described;
            }

            @Override
            public Uni<StepResult> execute() {
                return blocking(() -> {
                    Path out = Files.createTempFile("tocsin-runbook-", ".out");
                    try {
                        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                                .redirectOutput(out.toFile());
                        // Nothing of the engine's environment (tokens, secrets) reaches the program.
                        builder.environment().clear();
                        builder.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
                        Process process = builder.start();
                        if (!process.waitFor(step.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                            process.destroyForcibly();
                            return StepResult.failed("still running after " + step.timeout().toSeconds()
                                    + " s; stopped", variables.redact(read(out)));
                        }
                        String output = variables.redact(read(out));
                        return process.exitValue() == 0 ? StepResult.succeeded("exit 0", output)
                                : StepResult.failed("exit " + process.exitValue(), output);
                    } finally {
                        Files.deleteIfExists(out);
                    }
                });
            }
        };
    }

    private interface Expect {
        boolean ok(int status);
    }

    private interface OnSuccess {
        StepResult result(int status, String body);
    }

    private StepResult send(HttpRequest request, Duration timeout, boolean idempotent, Variables variables,
            Expect expect, OnSuccess success) throws IOException, InterruptedException {
        String host = request.uri().getHost();
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                String refusal = hosts.refusal(host, address);
                if (refusal != null) {
                    return StepResult.failed("refused: " + refusal, null);
                }
            }
        } catch (UnknownHostException e) {
            return StepResult.retryable("host " + host + " is unknown", null, null);
        }
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            // No answer: the request may have taken effect, so only an idempotent one is made again.
            return idempotent ? StepResult.retryable("no answer within " + timeout.toMillis() + " ms", null, null)
                    : StepResult.failed("no answer within " + timeout.toMillis() + " ms; not made again because the "
                            + "step is not idempotent and may have taken effect", null);
        } catch (IOException e) {
            return StepResult.retryable("could not call " + host + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + e.getMessage()), null, null);
        }
        int status = response.statusCode();
        String body = variables.redact(truncate(new String(response.body(), StandardCharsets.UTF_8)));
        if (expect.ok(status)) {
            return success.result(status, body);
        }
        if (status == 429 || status >= 500) {
            Duration after = response.headers().firstValue("Retry-After").map(StepCalls::seconds).orElse(null);
            return StepResult.retryable("HTTP " + status, body, after);
        }
        return new StepResult(Outcome.FAILED, "HTTP " + status + (status / 100 == 2 ? " (not an expected status)"
                : ""), body, false, null);
    }

    private static Duration seconds(String value) {
        try {
            return Duration.ofSeconds(Math.min(300, Long.parseLong(value.trim())));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The URL, checked against the allowlist before anything is sent, even in a dry run. */
    private URI uri(String text) {
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new Refused("the URL is not valid once filled in: " + e.getMessage());
        }
        String refusal = hosts.refusal(uri);
        String host = uri.getHost();
        if (refusal == null && host != null && host.matches("[0-9.]+|\\[?[0-9a-fA-F:.]+]?")) {
            // An address written out needs no lookup: refuse a link-local or metadata one before anything starts.
            try {
                refusal = hosts.refusal(host, InetAddress.getByName(host));
            } catch (UnknownHostException e) {
                refusal = "host " + host + " is not an address";
            }
        }
        if (refusal != null) {
            throw new Refused(refusal);
        }
        return uri;
    }

    private static String read(Path file) throws IOException {
        return truncate(Files.readString(file, StandardCharsets.UTF_8));
    }

    private static String truncate(String text) {
        return text.length() <= MAX_OUTPUT ? text : text.substring(0, MAX_OUTPUT) + "… (truncated)";
    }

    private static Uni<StepResult> blocking(Checked call) {
        Supplier<StepResult> supplier = () -> {
            try {
                return call.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return StepResult.retryable("interrupted", null, null);
            } catch (Exception e) {
                return StepResult.failed("could not be made: " + e, null);
            }
        };
        return Uni.createFrom().item(supplier).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private interface Checked {
        StepResult run() throws Exception;
    }
}
