package io.tocsin.yamlfiles;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;

class YamlFileTest {

    private static final YamlFile.Rules STRICT = YamlFile.Rules.LENIENT.unsetIsAnError()
            .reserving("Tocsin's own settings cannot be read", "TOCSIN_").withMilliseconds();
    private static final Map<String, String> ENVIRONMENT = Map.of("HOST", "db.internal", "EMPTY", "");

    @Test
    void unknownAndDuplicateKeysAreErrorsAtTheirLines() {
        YamlFile yaml = lenient();
        MappingNode root = yaml.root("""
                name: a
                colour: red
                name: b
                """, "name");

        Map<String, Node> keys = yaml.keys(root, "", Set.of("name", "size"));

        assertThat(keys).containsOnlyKeys("name");
        assertThat(yaml.errors()).containsExactly(
                "f.yaml:2: colour: unknown key; expected one of [name, size]",
                "f.yaml:3: name: appears twice");
    }

    @Test
    void nestedKeysNameTheirPath() {
        YamlFile yaml = lenient();
        MappingNode root = yaml.root("match:\n  lables: {}\n", "match");
        MappingNode match = (MappingNode) yaml.keys(root, "", Set.of("match")).get("match");

        yaml.keys(match, "policies[0].match", Set.of("labels"));

        assertThat(yaml.errors()).containsExactly(
                "f.yaml:2: policies[0].match.lables: unknown key; expected one of [labels]");
    }

    @Test
    void variablesAreFilledInWithTheirDefaults() {
        YamlFile yaml = strict();

        assertThat(yaml.scalar(value("https://${HOST}:${PORT:-6443}/x"), "url"))
                .isEqualTo("https://db.internal:6443/x");
        assertThat(yaml.scalar(value("${EMPTY:-fallback}"), "v")).isEqualTo("fallback");
        assertThat(yaml.errors()).isEmpty();
    }

    @Test
    void anUnsetVariableIsEmptyWhenLenient() {
        YamlFile yaml = lenient();

        assertThat(yaml.scalar(value("key: ${ROUTING_KEY}"), "v")).isEqualTo("key: ");
        assertThat(yaml.scalar(value("${TOCSIN_ROUTING_KEY}"), "v")).isEmpty();
        assertThat(yaml.errors()).isEmpty();
    }

    @Test
    void anUnsetVariableIsAnErrorWhenStrict() {
        YamlFile yaml = strict();

        assertThat(yaml.scalar(value("x ${ROUTING_KEY}"), "notify")).isEqualTo("x ");
        assertThat(yaml.errors()).containsExactly("f.yaml:1: notify: ${ROUTING_KEY} is not set");
    }

    @Test
    void aReservedVariableIsNeverRead() {
        YamlFile yaml = new YamlFile("f.yaml", Map.of("TOCSIN_API_TOKENS", "secret")::get, STRICT);

        assertThat(yaml.scalar(value("tokens: ${TOCSIN_API_TOKENS}"), "message")).isEqualTo("tokens: ");
        assertThat(yaml.errors()).containsExactly(
                "f.yaml:1: message: ${TOCSIN_API_TOKENS}: Tocsin's own settings cannot be read");
    }

    @Test
    void aListIsNotASingleValue() {
        YamlFile yaml = lenient();

        assertThat(yaml.scalar(yaml.root("a: [1, 2]\n", "a").getValue().get(0).getValueNode(), "a")).isNull();
        assertThat(yaml.errors()).containsExactly("f.yaml:1: a: must be a single value");
    }

    @Test
    void durationsTakeSecondsMinutesAndHours() {
        YamlFile yaml = lenient();

        assertThat(yaml.duration(value("30"), "d")).isEqualTo(Duration.ofSeconds(30));
        assertThat(yaml.duration(value("30s"), "d")).isEqualTo(Duration.ofSeconds(30));
        assertThat(yaml.duration(value("15 M"), "d")).isEqualTo(Duration.ofMinutes(15));
        assertThat(yaml.duration(value("2h"), "d")).isEqualTo(Duration.ofHours(2));
        assertThat(yaml.errors()).isEmpty();

        assertThat(yaml.duration(value("500ms"), "d")).isNull();
        assertThat(yaml.errors()).containsExactly(
                "f.yaml:1: d: \"500ms\" is not a duration; use seconds or minutes such as 30s, 15m or 2h");
    }

    @Test
    void durationsTakeMillisecondsWhenAllowed() {
        YamlFile yaml = strict();

        assertThat(yaml.duration(value("500ms"), "d")).isEqualTo(Duration.ofMillis(500));
        assertThat(yaml.duration(value("soon"), "d")).isNull();
        assertThat(yaml.errors()).containsExactly(
                "f.yaml:1: d: \"soon\" is not a duration; use such as 500ms, 30s, 15m or 2h");
    }

    @Test
    void countsMustBeInRange() {
        YamlFile yaml = lenient();

        assertThat(yaml.count(value("10"), "retries", 0, 10)).isEqualTo(10);
        assertThat(yaml.count(value(" 0 "), "retries", 0, 10)).isZero();
        assertThat(yaml.count(value("11"), "retries", 0, 10)).isZero();
        assertThat(yaml.count(value("many"), "max_runs", 1, 100)).isEqualTo(1);
        assertThat(yaml.errors()).containsExactly(
                "f.yaml:1: retries: must be a whole number from 0 to 10",
                "f.yaml:1: max_runs: must be a whole number from 1 to 100");
    }

    @Test
    void boolsAreTrueOrFalse() {
        YamlFile yaml = lenient();

        assertThat(yaml.bool(value("true"), "b")).isTrue();
        assertThat(yaml.bool(value("false"), "b")).isFalse();
        assertThat(yaml.bool(value("yes"), "b")).isFalse();
        assertThat(yaml.errors()).containsExactly("f.yaml:1: b: must be true or false");
    }

    @Test
    void invalidYamlNamesTheLine() {
        YamlFile yaml = lenient();

        assertThat(yaml.root("version: 1\nname: a: b\n", "version")).isNull();
        assertThat(yaml.hasErrors()).isTrue();
        assertThat(yaml.errors()).singleElement().asString()
                .isEqualTo("f.yaml:2: not valid YAML: mapping values are not allowed here");
    }

    @Test
    void aFileThatIsNotAMappingSaysWhatItShouldHold() {
        YamlFile yaml = lenient();

        assertThat(yaml.root("- a\n- b\n", "version, sla and policies")).isNull();
        assertThat(yaml.root("", "version, sla and policies")).isNull();
        assertThat(yaml.errors()).containsExactly(
                "f.yaml:1: expected a mapping with version, sla and policies",
                "f.yaml:1: expected a mapping with version, sla and policies");
    }

    @Test
    void warningsAreKeptApartFromErrors() {
        YamlFile yaml = lenient();

        yaml.warning(value("x"), "url", "the step will be refused");
        yaml.error(null, "steps", "is required");

        assertThat(yaml.warnings()).containsExactly("f.yaml:1: url: the step will be refused");
        assertThat(yaml.errors()).containsExactly("f.yaml:1: steps: is required");
    }

    private static YamlFile lenient() {
        return new YamlFile("f.yaml", ENVIRONMENT::get, YamlFile.Rules.LENIENT);
    }

    private static YamlFile strict() {
        return new YamlFile("f.yaml", ENVIRONMENT::get, STRICT);
    }

    /** A scalar node on line 1. */
    private static Node value(String text) {
        YamlFile scratch = new YamlFile("scratch", name -> null, YamlFile.Rules.LENIENT);
        return scratch.root("v: '" + text.replace("'", "''") + "'", "v").getValue().get(0).getValueNode();
    }
}
