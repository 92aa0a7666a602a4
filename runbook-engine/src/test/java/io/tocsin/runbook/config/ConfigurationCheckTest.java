package io.tocsin.runbook.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every setting and runbook file is read at once, and each problem names its variable or its file and line. */
class ConfigurationCheckTest {

    private static final String TOKENS = "oncall:0123456789abcdef";

    @TempDir
    Path folder;

    /** The settings as the configuration would hand them over, text as written. */
    record Raw(Optional<String> directory, Optional<String> dryRun, Optional<List<String>> allowedHosts,
            Optional<List<String>> shellAllowlist, Optional<String> prometheusUrl, Map<String, String> variables,
            Optional<String> apiTokens, Optional<String> maxEventAge, Optional<String> interval,
            Optional<String> inFlightGrace, Optional<String> skipInvalid) implements RunbookConfig {

        static Raw good(Path folder) {
            return new Raw(Optional.of(folder.toString()), Optional.of("true"),
                    Optional.of(List.of("prometheus:9090", "*.svc.cluster.local", "[::1]:8080", "::1")),
                    Optional.of(List.of("/bin/echo")), Optional.of("http://prometheus:9090"), Map.of(),
                    Optional.of(TOKENS), Optional.empty(), Optional.of("2s"), Optional.empty(), Optional.empty());
        }
    }

    private static ConfigurationCheck.Result check(RunbookConfig raw) {
        return ConfigurationCheck.check(raw, name -> null, name -> null);
    }

    @Test
    void goodSettingsAreReadWithTheirDefaults() throws IOException {
        Files.writeString(folder.resolve("pause.yaml"), "version: 1\nname: pause\nsteps:\n  - {name: p, kind: wait, "
                + "duration: 1m}\n");

        ConfigurationCheck.Result result = check(Raw.good(folder));

        assertThat(result.problems()).isEmpty();
        assertThat(result.settings().dryRun()).isTrue();
        assertThat(result.settings().maxEventAge()).isEqualTo(Duration.ofMinutes(15));
        assertThat(result.settings().interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(result.settings().inFlightGrace()).isEqualTo(Duration.ofSeconds(30));
        assertThat(result.catalog().named("pause")).isPresent();
    }

    @Test
    void everyBadSettingIsNamedOnALineOfItsOwn() {
        Raw raw = new Raw(Optional.of(folder.resolve("missing").toString()), Optional.of("ture"),
                Optional.of(List.of("https://prometheus:9090", "k8s:99999", "fine:443")),
                Optional.of(List.of("echo")), Optional.of("prometheus:9090"), Map.of(), Optional.of("oncall:short"),
                Optional.of("15 minutes"), Optional.of("0s"), Optional.empty(), Optional.of("perhaps"));

        ConfigurationCheck.Result result = check(raw);

        assertThat(result.problems()).containsExactly(
                "TOCSIN_RUNBOOK_DRY_RUN: \"ture\" is neither true nor false",
                "TOCSIN_RUNBOOK_SKIP_INVALID: \"perhaps\" is neither true nor false",
                "TOCSIN_RUNBOOK_HTTP_ALLOWED_HOSTS: \"https://prometheus:9090\" is a URL or a path, not a host; list "
                        + "host, host:port or *.domain, comma-separated (such as prometheus:9090,*.svc.cluster.local)",
                "TOCSIN_RUNBOOK_HTTP_ALLOWED_HOSTS: \"k8s:99999\" has port \"99999\", which is not a port (1-65535); "
                        + "list host, host:port or *.domain, comma-separated (such as prometheus:9090,"
                        + "*.svc.cluster.local)",
                "TOCSIN_RUNBOOK_SHELL_ALLOWLIST: \"echo\" is not an absolute path; list programs as "
                        + "/usr/local/bin/name",
                "TOCSIN_RUNBOOK_PROMETHEUS_URL: \"prometheus:9090\" is not an http or https URL with a host, such as "
                        + "http://prometheus:9090",
                "TOCSIN_API_TOKENS: entry 1 (oncall): the token is shorter than 16 characters",
                "TOCSIN_RUNBOOK_MAX_EVENT_AGE: \"15 minutes\" is not a positive duration; write it as 30s, 15m, 2h or "
                        + "PT15M",
                "TOCSIN_RUNBOOK_INTERVAL: \"0s\" is not a positive duration; write it as 30s, 15m, 2h or PT15M",
                "TOCSIN_RUNBOOK_DIR: " + folder.resolve("missing") + " does not exist");
        assertThat(result.settings().dryRun()).as("an unreadable dry-run switch is read as on").isTrue();
    }

    @Test
    void aRunbookFileWithAnErrorIsAProblemNamingItsPathAndLineAndAWarningIsNot() throws IOException {
        Files.writeString(folder.resolve("broken.yaml"), "version: 1\nname: broken\nsteps:\n  - name: call\n"
                + "    kind: http\n    url: http://prometheus:9090/x\n    colour: blue\n");
        Files.writeString(folder.resolve("elsewhere.yml"), "version: 1\nname: elsewhere\nsteps:\n  - name: call\n"
                + "    kind: http\n    url: http://example.com/x\n");
        Files.writeString(folder.resolve("twin.yaml"), "version: 1\nname: elsewhere\nsteps:\n  - {name: p, kind: wait, "
                + "duration: 1m}\n");

        ConfigurationCheck.Result result = check(Raw.good(folder));

        assertThat(result.problems()).hasSize(2);
        assertThat(result.problems().get(0)).startsWith(folder + "/broken.yaml:7: steps[0] (call).colour: unknown key");
        assertThat(result.problems().get(1)).isEqualTo(folder + "/twin.yaml:1: name: \"elsewhere\" is used by another "
                + "runbook file");
        assertThat(result.warnings()).singleElement().asString().startsWith(folder + "/elsewhere.yml:6: steps[0] "
                + "(call).url: host example.com:80 is not on the allowlist");
    }

    @Test
    void theEscapeHatchStartsWithoutTheInvalidFilesButNotWithoutBadSettings() throws IOException {
        Files.writeString(folder.resolve("broken.yaml"), "version: 1\nname: broken\nsteps: []\n");
        Raw raw = Raw.good(folder);
        Raw skipping = new Raw(raw.directory(), raw.dryRun(), raw.allowedHosts(), raw.shellAllowlist(),
                raw.prometheusUrl(), raw.variables(), Optional.empty(), raw.maxEventAge(), raw.interval(),
                raw.inFlightGrace(), Optional.of("true"));

        ConfigurationCheck.Result result = check(skipping);

        assertThat(result.skipped()).singleElement().asString().startsWith(folder + "/broken.yaml:3: ");
        assertThat(result.catalog().file("broken")).hasValueSatisfying(f -> assertThat(f.valid()).isFalse());
        assertThat(result.problems()).singleElement().asString().startsWith("TOCSIN_API_TOKENS: no tokens configured");
    }
}
