package io.tocsin.runbook.config;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import io.quarkus.runtime.configuration.DurationConverter;
import io.tocsin.auth.Credentials;
import io.tocsin.runbook.domain.HostPolicy;
import io.tocsin.runbook.domain.LoadedRunbook;
import io.tocsin.runbook.domain.RunbookCatalog;
import io.tocsin.runbook.domain.RunbookFileParser;

/**
 * Reads the runbook engine's whole configuration at once, settings and runbook files, and names every problem: the
 * variable it came from, or the runbook file and line. The start goes on only when there is none
 * ({@link StartupCheck}); warnings (an unset secret, a host off the allowlist) are said and let it start.
 */
public final class ConfigurationCheck {

    static final String DIR = "TOCSIN_RUNBOOK_DIR";
    static final String DRY_RUN = "TOCSIN_RUNBOOK_DRY_RUN";
    static final String HOSTS = "TOCSIN_RUNBOOK_HTTP_ALLOWED_HOSTS";
    static final String SHELL = "TOCSIN_RUNBOOK_SHELL_ALLOWLIST";
    static final String PROMETHEUS = "TOCSIN_RUNBOOK_PROMETHEUS_URL";
    static final String TOKENS = "TOCSIN_API_TOKENS";
    static final String SKIP_INVALID = "TOCSIN_RUNBOOK_SKIP_INVALID";

    /**
     * What the configuration amounts to: the settings and runbooks (read as far as they could be), every problem, every
     * warning, and the invalid runbook files the escape hatch lets the start pass over.
     */
    public record Result(RunbookSettings settings, RunbookFileParser.Settings parser, RunbookCatalog catalog,
            List<String> problems, List<String> warnings, List<String> skipped) {

        public Result {
            problems = List.copyOf(problems);
            warnings = List.copyOf(warnings);
            skipped = List.copyOf(skipped);
        }
    }

    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();

    private ConfigurationCheck() {
    }

    /**
     * @param environment the process environment ({@code ${NAME}} in runbook files reads it before the variables)
     * @param secrets {@code {{secret.NAME}}}'s values
     */
    public static Result check(RunbookConfig raw, Function<String, String> environment,
            Function<String, String> secrets) {
        return new ConfigurationCheck().run(raw, environment, secrets);
    }

    private Result run(RunbookConfig raw, Function<String, String> environment, Function<String, String> secrets) {
        boolean dryRun = bool(DRY_RUN, raw.dryRun());
        boolean skipInvalid = bool(SKIP_INVALID, raw.skipInvalid());
        List<String> hostEntries = new ArrayList<>();
        for (String entry : raw.allowedHosts().orElse(List.of())) {
            String problem = HostPolicy.entryProblem(entry);
            if (problem == null) {
                hostEntries.add(entry);
            } else {
                problems.add(HOSTS + ": \"" + entry + "\" " + problem + "; list host, host:port or *.domain, "
                        + "comma-separated (such as prometheus:9090,*.svc.cluster.local)");
            }
        }
        HostPolicy hosts = new HostPolicy(hostEntries);
        List<String> programs = new ArrayList<>();
        for (String program : raw.shellAllowlist().orElse(List.of())) {
            if (!program.startsWith("/")) {
                problems.add(SHELL + ": \"" + program + "\" is not an absolute path; list programs as "
                        + "/usr/local/bin/name");
            } else {
                programs.add(program);
                if (!Files.isExecutable(Path.of(program))) {
                    warnings.add(SHELL + ": " + program + " is not an executable file here; shell steps that run it "
                            + "will fail");
                }
            }
        }
        String prometheus = prometheus(raw.prometheusUrl(), hosts);
        List<String> tokenProblems = Credentials.problems(raw.apiTokens().orElse(null), TOKENS);
        problems.addAll(tokenProblems);
        Credentials credentials = tokenProblems.isEmpty() ? Credentials.parse(raw.apiTokens().get(), TOKENS) : null;
        Duration maxEventAge = duration("TOCSIN_RUNBOOK_MAX_EVENT_AGE", raw.maxEventAge(), "15m");
        Duration interval = duration("TOCSIN_RUNBOOK_INTERVAL", raw.interval(), "1s");
        Duration grace = duration("TOCSIN_RUNBOOK_IN_FLIGHT_GRACE", raw.inFlightGrace(), "30s");
        RunbookSettings settings = new RunbookSettings(dryRun, hosts, programs, prometheus, credentials, maxEventAge,
                interval, grace, skipInvalid);
        // The files are checked against the settings that could be read, so one start names every problem.
        RunbookFileParser.Settings parser = new RunbookFileParser.Settings(hosts, Set.copyOf(programs), prometheus,
                secrets, name -> environment.apply(name) != null ? environment.apply(name) : raw.variables().get(name));
        RunbookCatalog catalog = new RunbookCatalog(runbooks(raw.directory(), parser, skipInvalid));
        return new Result(settings, parser, catalog, problems, warnings, skipped);
    }

    private List<LoadedRunbook> runbooks(Optional<String> directory, RunbookFileParser.Settings parser,
            boolean skipInvalid) {
        if (directory.isEmpty() || directory.get().isBlank()) {
            return List.of();
        }
        Path folder = Path.of(directory.get()).toAbsolutePath().normalize();
        if (!Files.isDirectory(folder)) {
            problems.add(DIR + ": " + folder + (Files.exists(folder) ? " is not a folder" : " does not exist"));
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> listing = Files.list(folder)) {
            files = listing.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml")).sorted()
                    .toList();
        } catch (IOException e) {
            problems.add(DIR + ": " + folder + " cannot be read: " + e.getMessage());
            return List.of();
        }
        if (files.isEmpty()) {
            warnings.add(DIR + ": " + folder + " holds no *.yaml or *.yml file; no runbook will run");
        }
        List<LoadedRunbook> loaded = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (Path file : files) {
            LoadedRunbook runbook;
            try {
                runbook = RunbookFileParser.parse(Files.readString(file), file.getFileName().toString(), parser);
            } catch (IOException | RuntimeException e) {
                runbook = new LoadedRunbook(file.getFileName().toString(), null, null, List.of(file.getFileName()
                        + ":1: cannot be read: " + e.getMessage()), List.of());
            }
            if (runbook.valid() && !names.add(runbook.name())) {
                runbook = new LoadedRunbook(runbook.file(), runbook.name(), null, List.of(runbook.file()
                        + ":1: name: \"" + runbook.name() + "\" is used by another runbook file"), runbook.warnings());
            }
            loaded.add(runbook);
            // The parser's messages start with the file's name and line; the folder makes them a path to open.
            runbook.errors().forEach(error -> (skipInvalid ? skipped : problems).add(folder + "/" + error));
            runbook.warnings().forEach(warning -> warnings.add(folder + "/" + warning));
        }
        return loaded;
    }

    private String prometheus(Optional<String> value, HostPolicy hosts) {
        if (value.isEmpty() || value.get().isBlank()) {
            return null;
        }
        String text = value.get().trim();
        URI uri;
        try {
            uri = new URI(text);
        } catch (java.net.URISyntaxException e) {
            problems.add(PROMETHEUS + ": \"" + text + "\" is not a URL: " + e.getReason());
            return null;
        }
        if (uri.getScheme() == null || !Set.of("http", "https").contains(uri.getScheme().toLowerCase(Locale.ROOT))
                || uri.getHost() == null) {
            problems.add(PROMETHEUS + ": \"" + text + "\" is not an http or https URL with a host, such as "
                    + "http://prometheus:9090");
            return null;
        }
        if (uri.getRawUserInfo() != null) {
            problems.add(PROMETHEUS + ": the URL carries a user name or password, which would be recorded; "
                    + "runbooks may not send credentials in a URL");
            return null;
        }
        String refusal = hosts.refusal(uri);
        if (refusal != null) {
            warnings.add(PROMETHEUS + ": " + refusal + "; prometheus-query steps that name no url will be refused");
        }
        return text;
    }

    private boolean bool(String variable, Optional<String> value) {
        if (value.isEmpty() || value.get().isBlank()) {
            return false;
        }
        switch (value.get().trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "y", "on":
                return true;
            case "false", "0", "no", "n", "off":
                return false;
            default:
                problems.add(variable + ": \"" + value.get() + "\" is neither true nor false");
                // Unreadable, the safe reading: a dry-run switch nobody could read must not mean "make the calls".
                return DRY_RUN.equals(variable);
        }
    }

    private Duration duration(String variable, Optional<String> value, String fallback) {
        String text = value.filter(v -> !v.isBlank()).map(String::trim).orElse(fallback);
        Duration parsed;
        try {
            parsed = DurationConverter.parseDuration(text);
        } catch (RuntimeException e) {
            parsed = null;
        }
        if (parsed == null || parsed.isNegative() || parsed.isZero()) {
            problems.add(variable + ": \"" + text + "\" is not a positive duration; write it as 30s, 15m, 2h or "
                    + "PT15M");
            return DurationConverter.parseDuration(fallback);
        }
        return parsed;
    }
}
