package io.tocsin.runbook.domain;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

import io.tocsin.events.Priority;
import io.tocsin.yamlfiles.YamlFile;

/**
 * Reads one runbook file (YAML, {@code version: 1}; format in {@code docs/runbooks.md}). Every problem is reported at
 * once with its file and line; unknown keys are errors, since a misspelt key would silently change what a runbook does.
 * Values may use {@code ${VARIABLE}} or {@code ${VARIABLE:-default}}, filled in from the environment at load (for
 * addresses; secrets belong in {@code {{secret.NAME}}}, which is never recorded).
 */
public final class RunbookFileParser {

    /** What a file is checked against besides itself. */
    public record Settings(HostPolicy hosts, Set<String> shellAllowlist, String defaultPrometheusUrl,
            Function<String, String> secrets, Function<String, String> environment) {
    }

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    /**
     * An unset variable is an error; Tocsin's own settings hold tokens and secrets, and what a value becomes is
     * recorded and posted.
     */
    private static final YamlFile.Rules VALUES = YamlFile.Rules.LENIENT.unsetIsAnError()
            .reserving("Tocsin's own settings cannot be read into a runbook; for a secret use "
                    + "{{secret.NAME}} in a header or body", "TOCSIN_", "QUARKUS_", "MP_")
            .withMilliseconds();
    private static final Set<String> ROOT_KEYS = Set.of("version", "name", "description", "match", "trigger",
            "dry_run", "timeout", "max_runs_per_incident", "cancel_on_resolve", "steps");
    private static final Set<String> MATCH_KEYS = Set.of("labels", "min_priority");
    private static final Set<String> COMMON_KEYS = Set.of("name", "kind", "on_failure");
    private static final Map<String, Set<String>> KIND_KEYS = Map.of(
            "http", Set.of("method", "url", "headers", "body", "expect_status", "timeout", "retries", "idempotent"),
            "prometheus-query", Set.of("url", "query", "condition", "empty", "timeout", "retries"),
            "wait", Set.of("duration"),
            "approval", Set.of("message", "timeout"),
            "notify", Set.of("message"),
            "branch", Set.of("if", "then", "else"),
            "shell", Set.of("command", "timeout", "idempotent"));
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    private static final Set<String> RESTRICTED_HEADERS = Set.of("connection", "content-length", "expect", "host",
            "upgrade");
    private static final Set<String> IDEMPOTENT_METHODS = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS");

    private final YamlFile yaml;
    private final Settings settings;
    /** The runbook says {@code dry_run: true}: it never needs its secrets. */
    private boolean dryRunOnly;

    private RunbookFileParser(String file, Settings settings) {
        this.yaml = new YamlFile(file, settings.environment(), VALUES);
        this.settings = settings;
    }

    /** Parses {@code text}, read from {@code file}; never throws for a bad file, it reports. */
    public static LoadedRunbook parse(String text, String file, Settings settings) {
        return new RunbookFileParser(file, settings).read(text);
    }

    private LoadedRunbook read(String text) {
        MappingNode root = yaml.root(text, "version, name, match and steps");
        if (root == null) {
            return new LoadedRunbook(yaml.file(), null, null, yaml.errors(), List.of());
        }
        Map<String, Node> keys = yaml.keys(root, "", ROOT_KEYS);
        Node version = keys.get("version");
        if (version == null) {
            yaml.error(root, "version", "is required (version: 1)");
        } else if (!"1".equals(yaml.scalar(version, "version"))) {
            yaml.error(version, "version", "unsupported version; this Tocsin reads version 1");
        }
        String name = keys.containsKey("name") ? yaml.scalar(keys.get("name"), "name") : null;
        if (name == null || !NAME.matcher(name).matches()) {
            yaml.error(keys.getOrDefault("name", root), "name",
                    "is required: lower-case letters, digits, '.', '_' or '-', such as restart-checkout");
        }
        String description = keys.containsKey("description") ? yaml.scalar(keys.get("description"), "description") : "";
        RunbookMatch match = match(keys.get("match"));
        Trigger trigger = Trigger.OPENED;
        if (keys.containsKey("trigger")) {
            String value = yaml.scalar(keys.get("trigger"), "trigger");
            trigger = Trigger.fromWire(value);
            if (trigger == null) {
                yaml.error(keys.get("trigger"), "trigger",
                        "\"" + value + "\" is not a trigger; use opened, priority or manual");
                trigger = Trigger.MANUAL;
            }
        }
        if (trigger == Trigger.PRIORITY && match.minPriority() == null) {
            yaml.error(keys.get("trigger"), "trigger", "priority needs match.min_priority, the priority that starts it");
        }
        Boolean dryRun = keys.containsKey("dry_run") ? yaml.bool(keys.get("dry_run"), "dry_run") : null;
        dryRunOnly = Boolean.TRUE.equals(dryRun);
        Duration timeout = keys.containsKey("timeout") ? yaml.duration(keys.get("timeout"), "timeout")
                : Duration.ofMinutes(30);
        timeout = within(timeout, keys.get("timeout"), "timeout", Duration.ofSeconds(1), Duration.ofDays(7));
        int maxRuns = keys.containsKey("max_runs_per_incident")
                ? yaml.count(keys.get("max_runs_per_incident"), "max_runs_per_incident", 1, 100)
                : 1;
        boolean cancelOnResolve = !keys.containsKey("cancel_on_resolve")
                || yaml.bool(keys.get("cancel_on_resolve"), "cancel_on_resolve");
        List<Step> steps = steps(keys.get("steps"), root);
        if (yaml.hasErrors()) {
            return new LoadedRunbook(yaml.file(), name, null, yaml.errors(), yaml.warnings());
        }
        Duration longest = steps.stream().map(RunbookFileParser::longest).reduce(Duration.ZERO, Duration::plus);
        if (timeout != null && longest.compareTo(timeout) > 0) {
            yaml.warning(keys.getOrDefault("timeout", root), "timeout", "the run may time out (" + timeout.toMinutes()
                    + " min) before its steps can end: their waits, approvals and call timeouts add up to "
                    + longest.toMinutes() + " min");
        }
        Runbook runbook = new Runbook(name, yaml.file(), description == null ? "" : description, match, trigger, dryRun,
                timeout, maxRuns, cancelOnResolve, steps, hash(text + "\n" + String.join("\n", yaml.substitutions())));
        return new LoadedRunbook(yaml.file(), name, runbook, List.of(), yaml.warnings());
    }

    private RunbookMatch match(Node node) {
        if (node == null) {
            return new RunbookMatch(Map.of(), null);
        }
        if (!(node instanceof MappingNode mapping)) {
            yaml.error(node, "match", "must be a mapping with labels and/or min_priority");
            return new RunbookMatch(Map.of(), null);
        }
        Map<String, Node> keys = yaml.keys(mapping, "match", MATCH_KEYS);
        Priority min = null;
        if (keys.containsKey("min_priority")) {
            min = Priority.fromWire(yaml.scalar(keys.get("min_priority"), "match.min_priority"));
            if (min == Priority.UNKNOWN) {
                yaml.error(keys.get("min_priority"), "match.min_priority", "must be P0, P1, P2 or P3");
                min = null;
            }
        }
        Map<String, String> labels = new LinkedHashMap<>();
        Node labelsNode = keys.get("labels");
        if (labelsNode instanceof MappingNode labelMapping) {
            for (NodeTuple tuple : labelMapping.getValue()) {
                String label = yaml.scalar(tuple.getKeyNode(), "match.labels");
                String value = yaml.scalar(tuple.getValueNode(), "match.labels." + label);
                if (value != null && value.startsWith("~")) {
                    try {
                        Pattern.compile(value.substring(1));
                    } catch (RuntimeException e) {
                        yaml.error(tuple.getValueNode(), "match.labels." + label, "is not a valid regular expression");
                    }
                }
                labels.put(label, value == null ? "" : value);
            }
        } else if (labelsNode != null) {
            yaml.error(labelsNode, "match.labels", "must map label names to values");
        }
        return new RunbookMatch(labels, min);
    }

    private List<Step> steps(Node node, Node root) {
        List<Step> steps = new ArrayList<>();
        if (!(node instanceof SequenceNode sequence) || sequence.getValue().isEmpty()) {
            yaml.error(node == null ? root : node, "steps", "is required: a non-empty list of steps");
            return steps;
        }
        List<Node> items = sequence.getValue();
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            Node item = items.get(i);
            String name = item instanceof MappingNode m ? stepName(m) : null;
            if (name != null && !seen.add(name)) {
                yaml.error(item, "steps[" + i + "].name", "\"" + name + "\" is used by an earlier step");
            }
            names.add(name);
        }
        for (int i = 0; i < items.size(); i++) {
            Step step = step(items.get(i), "steps[" + i + "]", i, names);
            if (step != null) {
                steps.add(step);
            }
        }
        return steps;
    }

    /** {@code duration} when it is from {@code min} to {@code max}; else null, with an error. */
    private Duration within(Duration duration, Node node, String path, Duration min, Duration max) {
        if (duration != null && (duration.compareTo(min) < 0 || duration.compareTo(max) > 0)) {
            yaml.error(node, path, "must be " + (min.isZero() ? "" : "more than 0 and ") + "at most "
                    + max.toDays() + " days");
            return null;
        }
        return duration;
    }

    /** The longest a step can take: its wait, its approval timeout, or every attempt of its call. */
    private static Duration longest(Step step) {
        if (step instanceof Step.Wait wait) {
            return wait.duration();
        }
        if (step instanceof Step.Approval approval) {
            return approval.timeout();
        }
        if (step instanceof Step.Http http) {
            return http.timeout().multipliedBy(http.retries() + 1L);
        }
        if (step instanceof Step.PrometheusQuery query) {
            return query.timeout().multipliedBy(query.retries() + 1L);
        }
        return step instanceof Step.Shell shell ? shell.timeout() : Duration.ZERO;
    }

    private static String stepName(MappingNode mapping) {
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key && "name".equals(key.getValue())
                    && tuple.getValueNode() instanceof ScalarNode value) {
                return value.getValue();
            }
        }
        return null;
    }

    private Step step(Node node, String path, int index, List<String> names) {
        if (!(node instanceof MappingNode mapping)) {
            yaml.error(node, path, "must be a mapping with name and kind");
            return null;
        }
        Node kindNode = null;
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key && "kind".equals(key.getValue())) {
                kindNode = tuple.getValueNode();
            }
        }
        String kind = kindNode == null ? null : yaml.scalar(kindNode, path + ".kind");
        if (kind == null || !KIND_KEYS.containsKey(kind)) {
            yaml.error(kindNode == null ? node : kindNode, path + ".kind", (kind == null ? "is required"
                    : "\"" + kind
                            + "\" is not a step kind")
                    + "; use " + new TreeSet<>(KIND_KEYS.keySet()));
            return null;
        }
        Set<String> allowed = new HashSet<>(COMMON_KEYS);
        allowed.addAll(KIND_KEYS.get(kind));
        String written = stepName(mapping);
        Map<String, Node> keys = yaml.keys(mapping, written == null ? path : path + " (" + written + ")", allowed);
        String name = keys.containsKey("name") ? yaml.scalar(keys.get("name"), path + ".name") : null;
        if (name == null || !NAME.matcher(name).matches()) {
            yaml.error(keys.getOrDefault("name", node), path + ".name",
                    "is required: lower-case letters, digits, '.', '_' or '-', such as restart");
            name = "step-" + index;
        }
        path = path + " (" + name + ")";
        OnFailure onFailure = OnFailure.STOP;
        if (keys.containsKey("on_failure") && Set.of("wait", "notify", "branch").contains(kind)) {
            yaml.error(keys.get("on_failure"), path + ".on_failure", "a " + kind
                    + " step cannot fail on its own; on_failure applies to http, prometheus-query, approval and shell");
        } else if (keys.containsKey("on_failure")) {
            String value = yaml.scalar(keys.get("on_failure"), path + ".on_failure");
            if ("continue".equals(value)) {
                onFailure = OnFailure.CONTINUE;
            } else if (!"stop".equals(value)) {
                yaml.error(keys.get("on_failure"), path + ".on_failure", "must be stop or continue");
            }
        }
        int line = node.getStartMark().getLine() + 1;
        return switch (kind) {
            case "http" -> http(keys, node, path, name, onFailure, line);
            case "prometheus-query" -> prometheus(keys, node, path, name, onFailure, line);
            case "wait" -> {
                Duration duration = required(keys, "duration", node, path, "such as 2m") == null ? null
                        : within(yaml.duration(keys.get("duration"), path + ".duration"), keys.get("duration"),
                                path + ".duration", Duration.ZERO, Duration.ofDays(7));
                yield new Step.Wait(name, duration == null ? Duration.ZERO : duration, line);
            }
            case "approval" -> {
                Template message = template(required(keys, "message", node, path, "the question to ask"),
                        path + ".message", false);
                Duration timeout = keys.containsKey("timeout") ? yaml.duration(keys.get("timeout"), path + ".timeout")
                        : Duration.ofMinutes(30);
                timeout = within(timeout, keys.get("timeout"), path + ".timeout", Duration.ofMillis(1), Duration.ofDays(7));
                yield new Step.Approval(name, message, timeout, onFailure, line);
            }
            case "notify" -> new Step.Notify(name,
                    template(required(keys, "message", node, path, "the text to post"), path + ".message", false),
                    line);
            case "branch" -> branch(keys, node, path, name, index, names, line);
            default -> shell(keys, node, path, name, onFailure, line);
        };
    }

    private Step http(Map<String, Node> keys, Node node, String path, String name, OnFailure onFailure, int line) {
        String method = keys.containsKey("method") ? yaml.scalar(keys.get("method"), path + ".method") : "GET";
        method = method == null ? "GET" : method.toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            yaml.error(keys.get("method"), path + ".method", "must be one of " + new TreeSet<>(METHODS));
        }
        Template url = template(required(keys, "url", node, path, "the URL to call"), path + ".url", false);
        if (url != null) {
            checkUrl(url, keys.get("url"), path + ".url");
        }
        Map<String, Template> headers = new LinkedHashMap<>();
        Node headersNode = keys.get("headers");
        if (headersNode instanceof MappingNode headerMapping) {
            for (NodeTuple tuple : headerMapping.getValue()) {
                String header = yaml.scalar(tuple.getKeyNode(), path + ".headers");
                if (header != null && RESTRICTED_HEADERS.contains(header.toLowerCase(Locale.ROOT))) {
                    yaml.error(tuple.getKeyNode(), path + ".headers." + header, "is set by Tocsin itself and cannot be "
                            + "given");
                    continue;
                }
                Template value = template(tuple.getValueNode(), path + ".headers." + header, true);
                if (header != null && value != null) {
                    headers.put(header, value);
                }
            }
        } else if (headersNode != null) {
            yaml.error(headersNode, path + ".headers", "must map header names to values");
        }
        Template body = keys.containsKey("body") ? template(keys.get("body"), path + ".body", true) : null;
        Set<Integer> expect = new LinkedHashSet<>();
        Node expectNode = keys.get("expect_status");
        if (expectNode != null) {
            List<Node> values = expectNode instanceof SequenceNode s ? s.getValue() : List.of(expectNode);
            for (Node value : values) {
                expect.add(yaml.count(value, path + ".expect_status", 100, 599));
            }
        }
        Duration timeout = keys.containsKey("timeout") ? yaml.duration(keys.get("timeout"), path + ".timeout")
                : Duration.ofSeconds(10);
        timeout = within(timeout, keys.get("timeout"), path + ".timeout", Duration.ofMillis(1), Duration.ofDays(7));
        int retries = keys.containsKey("retries") ? yaml.count(keys.get("retries"), path + ".retries", 0, 10) : 2;
        boolean idempotent = keys.containsKey("idempotent") ? yaml.bool(keys.get("idempotent"), path + ".idempotent")
                : IDEMPOTENT_METHODS.contains(method);
        return new Step.Http(name, method, url, headers, body, expect, timeout, retries, idempotent, onFailure, line);
    }

    private Step prometheus(Map<String, Node> keys, Node node, String path, String name, OnFailure onFailure,
            int line) {
        String url = keys.containsKey("url") ? yaml.scalar(keys.get("url"), path + ".url") : settings.defaultPrometheusUrl();
        if (url == null || url.isBlank()) {
            yaml.error(node, path + ".url", "is required when TOCSIN_RUNBOOK_PROMETHEUS_URL is not set");
        } else if (url.contains("{{")) {
            yaml.error(keys.getOrDefault("url", node), path + ".url", "may not be templated");
        } else {
            checkUrl(Template.parse(url), keys.getOrDefault("url", node), path + ".url");
        }
        Template query = template(required(keys, "query", node, path, "a PromQL expression"), path + ".query", false);
        if (query != null && !query.unfiltered().isEmpty()) {
            yaml.warning(keys.get("query"), path + ".query", "{{" + query.unfiltered().get(0) + "}} is not escaped; "
                    + "inside a PromQL string write {{" + query.unfiltered().get(0) + " | json}}, so a value cannot "
                    + "end the string (and mind regular-expression characters after =~)");
        }
        Condition condition = null;
        Node conditionNode = required(keys, "condition", node, path, "such as \"< 0.01\"");
        if (conditionNode != null) {
            try {
                condition = Condition.parse(yaml.scalar(conditionNode, path + ".condition"));
            } catch (IllegalArgumentException e) {
                yaml.error(conditionNode, path + ".condition", e.getMessage());
            }
        }
        boolean emptySucceeds = false;
        if (keys.containsKey("empty")) {
            String value = yaml.scalar(keys.get("empty"), path + ".empty");
            if ("succeeded".equals(value)) {
                emptySucceeds = true;
            } else if (!"failed".equals(value)) {
                yaml.error(keys.get("empty"), path + ".empty",
                        "must be succeeded or failed (what a query without samples means)");
            }
        }
        Duration timeout = keys.containsKey("timeout") ? yaml.duration(keys.get("timeout"), path + ".timeout")
                : Duration.ofSeconds(10);
        timeout = within(timeout, keys.get("timeout"), path + ".timeout", Duration.ofMillis(1), Duration.ofDays(7));
        int retries = keys.containsKey("retries") ? yaml.count(keys.get("retries"), path + ".retries", 0, 10) : 2;
        return new Step.PrometheusQuery(name, url == null ? "" : url.replaceAll("/+$", ""), query, condition,
                emptySucceeds, timeout, retries, onFailure, line);
    }

    private Step branch(Map<String, Node> keys, Node node, String path, String name, int index, List<String> names,
            int line) {
        String ifStep = null;
        Outcome ifOutcome = Outcome.SUCCEEDED;
        Node ifNode = required(keys, "if", node, path, "{step: <earlier step>, outcome: succeeded|failed|...}");
        if (ifNode instanceof MappingNode ifMapping) {
            Map<String, Node> ifKeys = yaml.keys(ifMapping, path + ".if", Set.of("step", "outcome"));
            ifStep = ifKeys.containsKey("step") ? yaml.scalar(ifKeys.get("step"), path + ".if.step") : null;
            int at = names.indexOf(ifStep);
            if (ifStep == null || at < 0 || at >= index) {
                yaml.error(ifKeys.getOrDefault("step", ifNode), path + ".if.step", "must name an earlier step");
            }
            if (ifKeys.containsKey("outcome")) {
                String value = yaml.scalar(ifKeys.get("outcome"), path + ".if.outcome");
                ifOutcome = Outcome.fromWire(value);
                if (ifOutcome == null) {
                    yaml.error(ifKeys.get("outcome"), path + ".if.outcome",
                            "must be succeeded, failed, approved, denied or timed-out");
                    ifOutcome = Outcome.SUCCEEDED;
                }
            }
        } else if (ifNode != null) {
            yaml.error(ifNode, path + ".if", "must be a mapping such as {step: check, outcome: failed}");
        }
        String then = target(keys.get("then"), path + ".then", index, names);
        if (then == null && !keys.containsKey("then")) {
            yaml.error(node, path + ".then", "is required: the later step to go to");
        }
        String otherwise = keys.containsKey("else") ? target(keys.get("else"), path + ".else", index, names) : null;
        return new Step.Branch(name, ifStep, ifOutcome, then, otherwise, line);
    }

    /** A branch target: a later step (jumps go forward only, so no run can loop), or {@code end}. */
    private String target(Node node, String path, int index, List<String> names) {
        if (node == null) {
            return null;
        }
        String target = yaml.scalar(node, path);
        if ("end".equals(target)) {
            return target;
        }
        int at = names.indexOf(target);
        if (at <= index) {
            yaml.error(node, path, "must name a later step, or end (a branch only jumps forward, so a run cannot loop)");
            return null;
        }
        return target;
    }

    private Step shell(Map<String, Node> keys, Node node, String path, String name, OnFailure onFailure, int line) {
        List<Template> command = new ArrayList<>();
        Node commandNode = required(keys, "command", node, path, "a list: program and arguments");
        if (commandNode instanceof SequenceNode sequence && !sequence.getValue().isEmpty()) {
            for (Node part : sequence.getValue()) {
                Template template = template(part, path + ".command", false);
                if (template != null) {
                    command.add(template);
                }
            }
            String program = command.isEmpty() ? null : command.get(0).toString();
            if (program != null && !program.equals(command.get(0).literalPrefix())) {
                yaml.error(commandNode, path + ".command", "the program may not be templated");
            } else if (program != null && !settings.shellAllowlist().contains(program)) {
                yaml.error(commandNode, path + ".command", settings.shellAllowlist().isEmpty()
                        ? "shell steps are off; list " + program + " in TOCSIN_RUNBOOK_SHELL_ALLOWLIST to allow it"
                        : program + " is not in TOCSIN_RUNBOOK_SHELL_ALLOWLIST (absolute paths)");
            }
        } else if (commandNode != null) {
            yaml.error(commandNode, path + ".command", "must be a non-empty list: program and arguments");
        }
        Duration timeout = keys.containsKey("timeout") ? yaml.duration(keys.get("timeout"), path + ".timeout")
                : Duration.ofSeconds(60);
        timeout = within(timeout, keys.get("timeout"), path + ".timeout", Duration.ofMillis(1), Duration.ofDays(7));
        boolean idempotent = keys.containsKey("idempotent") && yaml.bool(keys.get("idempotent"), path + ".idempotent");
        return new Step.Shell(name, command, timeout, idempotent, onFailure, line);
    }

    /** Scheme, host and port must be written out: a substituted value may never choose where a request goes. */
    private void checkUrl(Template url, Node node, String path) {
        String prefix = url.literalPrefix();
        int scheme = prefix.indexOf("://");
        int hostEnd = scheme < 0 ? -1 : indexOfAny(prefix, scheme + 3);
        if (scheme < 0 || (hostEnd < 0 && !url.variables().isEmpty())) {
            yaml.error(node, path, "scheme, host and port must be written out, such as https://kube-api.internal:6443/...; "
                    + "templates may fill in the path and query only");
            return;
        }
        String literal = hostEnd < 0 ? prefix : prefix.substring(0, hostEnd);
        try {
            URI uri = URI.create(literal);
            String refusal = settings.hosts().refusal(uri);
            if (refusal != null) {
                yaml.warning(node, path, refusal + "; the step will be refused");
            }
        } catch (IllegalArgumentException e) {
            yaml.error(node, path, "is not a URL: " + e.getMessage());
        }
    }

    private static int indexOfAny(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    private Template template(Node node, String path, boolean secretsAllowed) {
        if (node == null) {
            return null;
        }
        String text = yaml.scalar(node, path);
        if (text == null) {
            return null;
        }
        try {
            Template template = Template.parse(text);
            for (String variable : template.variables()) {
                if (variable.startsWith("secret.")) {
                    if (!secretsAllowed) {
                        yaml.error(node, path, "{{" + variable + "}}: secrets may be used in headers and bodies only, "
                                + "never in URLs, messages or commands, which are recorded");
                    } else if (!dryRunOnly && settings.secrets().apply(variable.substring(7)) == null) {
                        yaml.warning(node, path, "{{" + variable + "}}: TOCSIN_RUNBOOK_SECRET_" + variable.substring(7)
                                + " is not set; the step will fail (a dry run does not need it)");
                    }
                }
            }
            return template;
        } catch (IllegalArgumentException e) {
            yaml.error(node, path, e.getMessage());
            return null;
        }
    }

    private Node required(Map<String, Node> keys, String key, Node parent, String path, String hint) {
        Node node = keys.get(key);
        if (node == null) {
            yaml.error(parent, path + "." + key, "is required: " + hint);
        }
        return node;
    }

    private static String hash(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
