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
    public record Rules(boolean unsetIsError, String reservedPrefix, String reservedReason, boolean milliseconds) {

        /** An unset variable without a default reads as ""; every variable may be read; durations in s, m or h. */
        public static final Rules LENIENT = new Rules(false, null, null, false);

        /** An unset variable without a default is an error. */
        public Rules unsetIsAnError() {
            return new Rules(true, reservedPrefix, reservedReason, milliseconds);
        }

        /** Variables whose names start with {@code prefix} may not be read; {@code reason} says why. */
        public Rules reserving(String prefix, String reason) {
            return new Rules(unsetIsError, prefix, reason, milliseconds);
        }

        /** Durations may also be given in milliseconds ({@code 500ms}). */
        public Rules withMilliseconds() {
            return new Rules(unsetIsError, reservedPrefix, reservedReason, true);
        }
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(s|m|h)?");
    private static final Pattern DURATION_MS = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?");

    private final String file;
    private final Function<String, String> environment;
    private final Rules rules;
    private final List<String> errors = new ArrayList<>();
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
        if (rules.reservedPrefix() != null && name.startsWith(rules.reservedPrefix())) {
            error(node, path, "${" + name + "}: " + rules.reservedReason());
            return "";
        }
        String found = environment.apply(name);
        String value = found != null && !found.isEmpty() ? found : matcher.group(2);
        if (value == null && rules.unsetIsError()) {
            error(node, path, "${" + name + "} is not set");
        }
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
        long amount = Long.parseLong(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
        };
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

    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    private static int line(Node node) {
        return node == null ? 1 : node.getStartMark().getLine() + 1;
    }
}
