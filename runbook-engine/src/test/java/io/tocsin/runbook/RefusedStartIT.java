package io.tocsin.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.tocsin.testsupport.PostgresDatabase;

/**
 * The packaged service refuses to start on a broken runbook file and a bad setting: it exits with code 1 and prints
 * one line per problem naming the file and line, and the variable, and no stack trace.
 */
class RefusedStartIT {

    @Test
    void aBrokenRunbookFileAndABadSettingStopTheStartWithALineEach() throws Exception {
        Path folder = Files.createTempDirectory("runbooks");
        Files.writeString(folder.resolve("broken.yaml"), "version: 1\nname: broken\nsteps:\n  - name: call\n"
                + "    kind: http\n    url: http://127.0.0.1/x\n    colour: blue\n");
        Path output = Files.createTempFile("refused-start", ".log");
        try (PostgresDatabase database = PostgresDatabase.create()) {
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx256m", "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString())
                    .redirectErrorStream(true).redirectOutput(output.toFile());
            builder.environment().putAll(java.util.Map.of(
                    "TOCSIN_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1",
                    "TOCSIN_DB_HOST", database.host(),
                    "TOCSIN_DB_PORT", Integer.toString(database.port()),
                    "TOCSIN_DB_NAME", database.name(),
                    "TOCSIN_DB_USER", database.user(),
                    "TOCSIN_API_TOKENS", "refused:refused-test-token-0001",
                    "TOCSIN_RUNBOOK_DIR", folder.toString(),
                    "TOCSIN_RUNBOOK_HTTP_ALLOWED_HOSTS", "127.0.0.1",
                    "TOCSIN_RUNBOOK_DRY_RUN", "maybe",
                    "QUARKUS_HTTP_PORT", "0"));
            Process service = builder.start();
            boolean exited = service.waitFor(90, TimeUnit.SECONDS);
            if (!exited) {
                service.destroyForcibly();
            }
            String log = Files.readString(output);

            assertThat(exited).as("the service exits instead of starting:\n" + log).isTrue();
            assertThat(service.exitValue()).isEqualTo(1);
            assertThat(log).contains("ERROR [io.to.ru.co.StartupCheck] (main) Configuration problem: "
                    + "TOCSIN_RUNBOOK_DRY_RUN: \"maybe\" is neither true nor false\n")
                    .contains("ERROR [io.to.ru.co.StartupCheck] (main) Configuration problem: "
                            + folder.toAbsolutePath().normalize()
                            + "/broken.yaml:7: steps[0] (call).colour: unknown key")
                    .doesNotContain("\tat ").doesNotContain("Listening on");
        } finally {
            Files.deleteIfExists(folder.resolve("broken.yaml"));
            Files.deleteIfExists(folder);
            Files.deleteIfExists(output);
        }
    }
}
