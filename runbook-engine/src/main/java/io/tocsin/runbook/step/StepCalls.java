package io.tocsin.runbook.step;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.tocsin.runbook.config.RunbookSettings;
import io.tocsin.runbook.domain.Durations;
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

    /** Reads bodies and program output, which may block until their deadline. */
    private static final ExecutorService READERS = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "runbook-output-reader");
        thread.setDaemon(true);
        return thread;
    });

    private final HostPolicy hosts;
    private final Set<String> programs;
    private final ObjectMapper mapper;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

    public StepCalls(HostPolicy hosts, RunbookSettings config, ObjectMapper mapper) {
        this.hosts = hosts;
        this.programs = Set.copyOf(config.shellAllowlist());
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
            String real = value.render(variables.values(), Template.Encoding.PLAIN);
            if (real.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                // Never the value in the message: it may hold a secret (one read from a file keeps its newline).
                throw new Refused("header " + name + ": its value holds a line break or another control character "
                        + "once filled in (a secret or label with a trailing newline?)");
            }
            headers.put(name, real);
            input.append('\n').append(name).append(": ").append(value.render(variables.redacted(),
                    Template.Encoding.PLAIN));
        });
        String body = step.body() == null ? null : step.body().render(variables.values(), Template.Encoding.PLAIN);
        if (body != null) {
            input.append("\n\n").append(step.body().render(variables.redacted(), Template.Encoding.PLAIN));
        }
        String described = input.toString();
        return new PreparedCall(described, blocking(step.idempotent(), variables, () -> {
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(step.timeout())
                    .method(step.method(), body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            headers.forEach(request::header);
            return send(request.build(), step.timeout(), step.idempotent(), variables,
                    status -> step.expectStatus().isEmpty() ? status / 100 == 2
                            : step.expectStatus().contains(status),
                    (status, text) -> StepResult.succeeded("HTTP " + status, text));
        }));
    }

    private PreparedCall prometheus(Step.PrometheusQuery step, Variables variables) {
        String query = step.query().render(variables.values(), Template.Encoding.PLAIN);
        URI uri = uri(step.url() + "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
        String described = "query " + step.url() + ": " + variables.redact(query) + " (every sample " + step.condition()
                + ")";
        return new PreparedCall(described,
                blocking(true, variables, () -> send(HttpRequest.newBuilder(uri).timeout(step.timeout())
                        .header("Accept", "application/json").GET().build(), step.timeout(), true, variables,
                        status -> status == 200, (status, text) -> evaluate(step, text))));
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
        for (int i = 1; i < argv.size(); i++) {
            if (argv.get(i).startsWith("-") && !step.command().get(i).literalPrefix().startsWith("-")) {
                throw new Refused("argument " + i + " would begin with \"-\" from " + step.command().get(i)
                        + ", and the program would read it as an option");
            }
        }
        String described = String.join(" ", step.command().stream()
                .map(t -> t.render(variables.redacted(), Template.Encoding.PLAIN)).toList());
        return new PreparedCall(described, blocking(step.idempotent(), variables, () -> {
            ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            // Nothing of the engine's environment (tokens, secrets) reaches the program.
            builder.environment().clear();
            builder.environment().put("PATH", "/usr/local/bin:/usr/bin:/bin");
            Process process = builder.start();
            CompletableFuture<byte[]> output = capped(process.getInputStream());
            if (!process.waitFor(step.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                return StepResult.failed("still running after " + Durations.human(step.timeout()) + "; stopped",
                        text(output, variables));
            }
            String text = text(output, variables);
            return process.exitValue() == 0 ? StepResult.succeeded("exit 0", text)
                    : StepResult.failed("exit " + process.exitValue(), text);
        }));
    }

    private interface Expect {
        boolean ok(int status);
    }

    private interface OnSuccess {
        StepResult result(int status, String body);
    }

    private StepResult send(HttpRequest request, Duration timeout, boolean idempotent, Variables variables,
            Expect expect, OnSuccess success) throws InterruptedException {
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
        // One deadline for the whole exchange: a timeout on the request alone stops counting once headers arrive.
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<HttpResponse<InputStream>> exchange = client.sendAsync(request,
                HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> response;
        try {
            response = exchange.get(left(deadline), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            return noAnswer(timeout, idempotent);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)) {
                return noAnswer(timeout, idempotent);
            }
            String what = "could not call " + host + ": " + cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : " " + cause.getMessage());
            // Refused or never connected: nothing was sent, so even a POST may go again.
            boolean notSent = cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException;
            return notSent || idempotent ? StepResult.retryable(what, null, null) : uncertain(what);
        }
        CompletableFuture<byte[]> reading = capped(response.body());
        byte[] bytes;
        try {
            bytes = reading.get(left(deadline), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            bytes = new byte[0];
        } finally {
            close(response.body());
        }
        int status = response.statusCode();
        String body = truncate(variables.redact(new String(bytes, StandardCharsets.UTF_8)));
        if (expect.ok(status)) {
            return success.result(status, body);
        }
        if (status == 429 || status == 503 || (status >= 500 && idempotent)) {
            Duration after = response.headers().firstValue("Retry-After").map(StepCalls::seconds).orElse(null);
            return StepResult.retryable("HTTP " + status, body, after);
        }
        if (status >= 500) {
            return new StepResult(Outcome.FAILED, "HTTP " + status + "; not made again because the step is not "
                    + "idempotent and may have taken effect", body, false, null);
        }
        return new StepResult(Outcome.FAILED, "HTTP " + status + (status / 100 == 2 ? " (not an expected status)"
                : ""), body, false, null);
    }

    private static StepResult noAnswer(Duration timeout, boolean idempotent) {
        // No answer: the request may have taken effect, so only an idempotent one is made again.
        String what = "no answer within " + timeout.toMillis() + " ms";
        return idempotent ? StepResult.retryable(what, null, null) : uncertain(what);
    }

    private static StepResult uncertain(String what) {
        return StepResult.failed(what + "; not made again because the step is not idempotent and may have taken "
                + "effect", null);
    }

    private static long left(long deadline) {
        return Math.max(1, deadline - System.nanoTime());
    }

    /** Reads at most {@link #MAX_OUTPUT} bytes and one more, then discards the rest, on a thread of its own. */
    private static CompletableFuture<byte[]> capped(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                byte[] kept = in.readNBytes(MAX_OUTPUT + 1);
                in.transferTo(OutputStream.nullOutputStream());
                return kept;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, READERS);
    }

    private static String text(CompletableFuture<byte[]> output, Variables variables) {
        byte[] bytes;
        try {
            bytes = output.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            bytes = new byte[0];
        } catch (ExecutionException | TimeoutException e) {
            bytes = new byte[0];
        }
        return truncate(variables.redact(new String(bytes, StandardCharsets.UTF_8)));
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // closing aborts an exchange whose rest is not wanted; nothing to add
        }
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
        if (refusal == null && host != null && (host.matches("[0-9.]+") || host.contains(":"))) {
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

    private static String truncate(String text) {
        return text.length() <= MAX_OUTPUT ? text : text.substring(0, MAX_OUTPUT) + "… (truncated)";
    }

    private static Uni<StepResult> blocking(boolean idempotent, Variables variables, Checked call) {
        Supplier<StepResult> supplier = () -> {
            try {
                return call.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return idempotent ? StepResult.retryable("interrupted", null, null) : uncertain("interrupted");
            } catch (Exception e) {
                // A library's message may quote what it was given, a secret included.
                return StepResult.failed(variables.redact("could not be made: " + e), null);
            }
        };
        return Uni.createFrom().item(supplier).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private interface Checked {
        StepResult run() throws Exception;
    }
}
