package io.tocsin.yamlfiles;

import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * One YAML file being read: reads its values, filling in {@code ${VARIABLE}} and {@code ${VARIABLE:-default}}, and
 * collects every error and warning as {@code file:line: path: message} instead of stopping at the first.
 */
public final class YamlFile {

    /** How a kind of file reads its values, where escalation policies and runbooks differ. */
    public record Rules(boolean unsetIsError, List<String> reservedPrefixes, String reservedReason,
            boolean milliseconds) {

        /** An unset variable without a default reads as ""; every variable may be read; durations in s, m or h. */
        public static final Rules LENIENT = new Rules(false, List.of(), null, false);

        /** An unset variable without a default is an error. */
        public Rules unsetIsAnError() {
            return new Rules(true, reservedPrefixes, reservedReason, milliseconds);
        }

        /**
         * Variables whose names start with one of {@code prefixes}, in any case (environment variables are matched
         * without regard to case by some lookups), may not be read; {@code reason} says why.
         */
        public Rules reserving(String reason, String... prefixes) {
            return new Rules(unsetIsError, List.of(prefixes), reason, milliseconds);
        }

        /** Durations may also be given in milliseconds ({@code 500ms}). */
        public Rules withMilliseconds() {
            return new Rules(unsetIsError, reservedPrefixes, reservedReason, true);
        }
    }

    /** The longest duration any file may give: longer is a typo. */
    public static final Duration LONGEST = Duration.ofDays(366);

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(s|m|h)?");
    private static final Pattern DURATION_MS = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    private final String file;
    private final Function<String, String> environment;
    private final Rules rules;
    private final List<String> errors = new ArrayList<>();
    private final List<String> substitutions = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    /**
     * @param file the name used in messages
     * @param environment looks up {@code ${VARIABLE}}s ({@link System#getenv(String)} in production)
     */
    public YamlFile(String file, Function<String, String> environment, Rules rules) {
        this.file = file;
        this.environment = environment;
        this.rules = rules;
    }

    public String file() {
        return file;
    }

    /**
     * The file's top-level mapping, or null with the error recorded when {@code text} is not YAML or not a mapping.
     *
     * @param expected what the mapping holds, for the message, such as "version, sla and policies"
     */
    public MappingNode root(String text, String expected) {
        Node root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            errors.add(file + ":" + (e.getProblemMark().getLine() + 1) + ": not valid YAML: " + e.getProblem());
            return null;
        }
        if (!(root instanceof MappingNode mapping)) {
            errors.add(file + ":1: expected a mapping with " + expected);
            return null;
        }
        return mapping;
    }

    /** A mapping's values by key; an error for a key not in {@code allowed} (a typo) and for a key given twice. */
    public Map<String, Node> keys(MappingNode mapping, String path, Set<String> allowed) {
        Map<String, Node> keys = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            String key = scalar(tuple.getKeyNode(), path);
            String where = path.isEmpty() ? key : path + "." + key;
            if (!allowed.contains(key)) {
                error(tuple.getKeyNode(), where, "unknown key; expected one of " + new TreeSet<>(allowed));
            } else if (keys.put(key, tuple.getValueNode()) != null) {
                error(tuple.getKeyNode(), where, "appears twice");
            }
        }
        return keys;
    }

    /** A single value with its variables filled in, or null (an error) for a list or mapping. */
    public String scalar(Node node, String path) {
        if (!(node instanceof ScalarNode scalar)) {
            error(node, path, "must be a single value");
            return null;
        }
        Matcher matcher = VARIABLE.matcher(scalar.getValue());
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            matcher.appendReplacement(out, Matcher.quoteReplacement(variable(matcher, node, path)));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    private String variable(Matcher matcher, Node node, String path) {
        String name = matcher.group(1);
        String upper = name.toUpperCase(Locale.ROOT);
        if (rules.reservedPrefixes().stream().anyMatch(upper::startsWith)) {
            error(node, path, "${" + name + "}: " + rules.reservedReason());
            return "";
        }
        String found = environment.apply(name);
        String value = found != null && !found.isEmpty() ? found : matcher.group(2);
        if (value == null && rules.unsetIsError()) {
            error(node, path, "${" + name + "} is not set");
        }
        substitutions.add(name + "=" + value);
        return value == null ? "" : value;
    }

    /** A duration such as {@code 30s}, {@code 15m} or {@code 2h} (seconds without a unit), or null (an error). */
    public Duration duration(Node node, String path) {
        String text = scalar(node, path);
        if (text == null) {
            return null;
        }
        Matcher matcher = (rules.milliseconds() ? DURATION_MS : DURATION).matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            error(node, path, "\"" + text + "\" is not a duration; use " + (rules.milliseconds()
                    ? "such as 500ms, 30s, 15m or 2h"
                    : "seconds or minutes such as 30s, 15m or 2h"));
            return null;
        }
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        Duration duration;
        try {
            long amount = Long.parseLong(matcher.group(1));
            duration = switch (unit) {
                case "ms" -> Duration.ofMillis(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofSeconds(amount);
            };
        } catch (ArithmeticException | NumberFormatException e) {
            duration = null;
        }
        if (duration == null || duration.compareTo(LONGEST) > 0) {
            error(node, path, "\"" + text + "\" is too long; at most 366 days");
            return null;
        }
        return duration;
    }

    /** A whole number from {@code min} to {@code max}, or {@code min} (an error). */
    public int count(Node node, String path, int min, int max) {
        String text = scalar(node, path);
        try {
            int value = Integer.parseInt(text == null ? "" : text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        error(node, path, "must be a whole number from " + min + " to " + max);
        return min;
    }

    /** {@code true} or {@code false}; anything else is an error (and reads as false). */
    public boolean bool(Node node, String path) {
        String text = scalar(node, path);
        if ("true".equals(text) || "false".equals(text)) {
            return Boolean.parseBoolean(text);
        }
        error(node, path, "must be true or false");
        return false;
    }

    /** Records an error at {@code node}'s line (line 1 without a node). */
    public void error(Node node, String path, String message) {
        errors.add(file + ":" + line(node) + ": " + path + ": " + message);
    }

    /** Records a warning at {@code node}'s line (line 1 without a node). */
    public void warning(Node node, String path, String message) {
        warnings.add(file + ":" + line(node) + ": " + path + ": " + message);
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** Every {@code ${VARIABLE}} filled in so far, as {@code NAME=value}, in order: part of what the file means. */
    public List<String> substitutions() {
        return List.copyOf(substitutions);
    }

    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    private static int line(Node node) {
        return node == null ? 1 : node.getStartMark().getLine() + 1;
    }
}
