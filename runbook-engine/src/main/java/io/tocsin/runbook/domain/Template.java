package io.tocsin.runbook.domain;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text with {@code {{ variable }}} or {@code {{ variable | filter }}} substitutions, and nothing else: no expressions,
 * no method calls, no loops, so a template cannot run code. Variables are {@code incident.id}, {@code incident.title},
 * {@code incident.priority}, {@code incident.service}, {@code incident.state}, {@code labels.<name>},
 * {@code annotations.<name>}, {@code secret.<NAME>}, {@code run.id}, {@code runbook.name} and {@code now}. Filters:
 * {@code url} (percent-encoded) and {@code json} (escaped for inside a JSON string).
 */
public final class Template {

    private static final Pattern SUBSTITUTION = Pattern.compile("\\{\\{(.*?)}}");
    private static final Pattern VARIABLE = Pattern
            .compile("(incident\\.(id|title|priority|service|state)|labels\\.[A-Za-z_][A-Za-z0-9_]*"
                    + "|annotations\\.[A-Za-z_][A-Za-z0-9_]*|secret\\.[A-Z][A-Z0-9_]*|run\\.id|runbook\\.name|now)");
    private static final Set<String> FILTERS = Set.of("url", "json");

    /** How substituted values are written into the text. */
    public enum Encoding {
        /** As they are (unless a filter says otherwise). */
        PLAIN,
        /** Percent-encoded, as for a URL's path or query: a value cannot change the host or add a path segment. */
        URL
    }

    private record Part(String literal, String variable, String filter) {
    }

    private final String text;
    private final List<Part> parts;

    private Template(String text, List<Part> parts) {
        this.text = text;
        this.parts = List.copyOf(parts);
    }

    /** @throws IllegalArgumentException naming the first substitution that is not a known variable or filter */
    public static Template parse(String text) {
        List<Part> parts = new ArrayList<>();
        Matcher matcher = SUBSTITUTION.matcher(text);
        int last = 0;
        while (matcher.find()) {
            if (matcher.start() > last) {
                parts.add(new Part(text.substring(last, matcher.start()), null, null));
            }
            String inside = matcher.group(1).trim();
            String variable = inside;
            String filter = null;
            int bar = inside.indexOf('|');
            if (bar >= 0) {
                variable = inside.substring(0, bar).trim();
                filter = inside.substring(bar + 1).trim();
                if (!FILTERS.contains(filter)) {
                    throw new IllegalArgumentException("{{" + matcher.group(1) + "}}: unknown filter \"" + filter
                            + "\"; use url or json");
                }
            }
            if (!VARIABLE.matcher(variable).matches()) {
                throw new IllegalArgumentException("{{" + matcher.group(1) + "}}: unknown variable \"" + variable
                        + "\"; use incident.id|title|priority|service|state, labels.<name>, annotations.<name>, "
                        + "secret.<NAME>, run.id, runbook.name or now");
            }
            parts.add(new Part(null, variable, filter));
            last = matcher.end();
        }
        String rest = text.substring(last);
        if (rest.contains("{{")) {
            throw new IllegalArgumentException("\"{{\" is never closed with \"}}\"");
        }
        if (!rest.isEmpty()) {
            parts.add(new Part(rest, null, null));
        }
        return new Template(text, parts);
    }

    /** The variables it uses, in order. */
    public List<String> variables() {
        return parts.stream().filter(p -> p.variable() != null).map(Part::variable).toList();
    }

    /** The variables it uses without a filter, in order. */
    public List<String> unfiltered() {
        return parts.stream().filter(p -> p.variable() != null && p.filter() == null).map(Part::variable).toList();
    }

    /** The text before the first substitution. */
    public String literalPrefix() {
        int at = text.indexOf("{{");
        return at < 0 ? text : text.substring(0, at);
    }

    /**
     * The text with each variable replaced by {@code values}' answer.
     *
     * @throws MissingValue naming the first variable {@code values} has no value for
     */
    public String render(Function<String, String> values, Encoding encoding) {
        StringBuilder out = new StringBuilder();
        for (Part part : parts) {
            if (part.literal() != null) {
                out.append(part.literal());
                continue;
            }
            String value = values.apply(part.variable());
            if (value == null) {
                throw new MissingValue(part.variable());
            }
            if (encoding == Encoding.URL && (value.isEmpty() || ".".equals(value) || "..".equals(value))) {
                // Percent-encoding leaves dots alone, and servers and proxies read "." and ".." as path steps.
                throw new UnsafeValue(part.variable(), value);
            }
            String filtered = "json".equals(part.filter()) ? jsonEscape(value) : value;
            // In a URL every value is percent-encoded, whatever its filter says.
            out.append(encoding == Encoding.URL || "url".equals(part.filter()) ? urlEncode(filtered) : filtered);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return text;
    }

    private static String urlEncode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String jsonEscape(String value) {
        StringBuilder out = new StringBuilder();
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /** A value that cannot go into a URL: empty, {@code .} or {@code ..}, which would change the path. */
    public static final class UnsafeValue extends RuntimeException {
        public UnsafeValue(String variable, String value) {
            super(variable + " is \"" + value + "\", which cannot be part of a URL");
        }
    }

    /** A template used a variable that has no value for this incident (a label it does not carry, an unset secret). */
    public static final class MissingValue extends RuntimeException {
        private final String variable;

        public MissingValue(String variable) {
            super(variable + " has no value for this incident");
            this.variable = variable;
        }

        public String variable() {
            return variable;
        }
    }
}
