package io.tocsin.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.PostgresDatabase;

/** Starts packaged Tocsin services as processes against one broker and one database, and stops them. */
final class Services implements AutoCloseable {

    private final String bootstrapServers;
    private final Map<String, String> databaseSettings;
    private final List<Process> processes = new ArrayList<>();

    Services(KafkaBroker broker, PostgresDatabase database) {
        this(broker.bootstrapServers(), database.host(), database.port(), database.name(), database.user());
    }

    /** Services against any broker list and database (a cluster, a PostgreSQL a test can stop). */
    Services(String bootstrapServers, String dbHost, int dbPort, String dbName, String dbUser) {
        this.bootstrapServers = bootstrapServers;
        this.databaseSettings = Map.of(
                "TOCSIN_DB_HOST", dbHost,
                "TOCSIN_DB_PORT", Integer.toString(dbPort),
                "TOCSIN_DB_NAME", dbName,
                "TOCSIN_DB_USER", dbUser);
    }

    /** Starts {@code module}'s packaged jar on {@code port} with these settings and waits until it is ready. */
    Process start(String module, int port, Map<String, String> settings) throws IOException {
        return start(module, module, port, settings);
    }

    /** As above, logging to {@code target/<logName>.log} (one log per test class or instance). */
    Process start(String module, String logName, int port, Map<String, String> settings) throws IOException {
        Path jar = Path.of("..", module, "target", "quarkus-app", "quarkus-run.jar");
        assertThat(jar).as("the packaged " + module + " (the reactor packages it before these tests)").exists();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", logName + ".log").toFile()));
        Map<String, String> env = new HashMap<>(databaseSettings);
        env.put("TOCSIN_KAFKA_BOOTSTRAP_SERVERS", bootstrapServers);
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.putAll(settings);
        builder.environment().putAll(env);
        Process process = builder.start();
        processes.add(process);
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            assertThat(process.isAlive()).as(module + " exited while starting; see target/" + module + ".log")
                    .isTrue();
            return ready(port);
        });
        return process;
    }

    /** A free port below the ephemeral range, so no outgoing connection can take it meanwhile. */
    static int freePort() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = 20000 + (int) (Math.random() * 10000);
            try (ServerSocket socket = new ServerSocket(port)) {
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port between 20000 and 30000");
    }

    /** SIGKILL (on Linux): no shutdown hook, no flush, no commit; returns once the process is gone. */
    static void kill(Process process) throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** Whether the service on {@code port} answers its readiness check with 200. */
    static boolean ready(int port) {
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port
                    + "/q/health/ready").toURL().openConnection();
            connection.setConnectTimeout(500);
            connection.setReadTimeout(2000);
            return connection.getResponseCode() == 200;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        processes.forEach(Process::destroyForcibly);
    }
}
