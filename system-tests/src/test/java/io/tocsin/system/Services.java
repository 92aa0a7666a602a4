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

    private final KafkaBroker broker;
    private final PostgresDatabase database;
    private final List<Process> processes = new ArrayList<>();

    Services(KafkaBroker broker, PostgresDatabase database) {
        this.broker = broker;
        this.database = database;
    }

    /** Starts {@code module}'s packaged jar on {@code port} with these settings and waits until it is ready. */
    Process start(String module, int port, Map<String, String> settings) throws IOException {
        Path jar = Path.of("..", module, "target", "quarkus-app", "quarkus-run.jar");
        assertThat(jar).as("the packaged " + module + " (the reactor packages it before these tests)").exists();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", module + ".log").toFile()));
        Map<String, String> env = new HashMap<>(Map.of(
                "TOCSIN_KAFKA_BOOTSTRAP_SERVERS", broker.bootstrapServers(),
                "TOCSIN_DB_HOST", database.host(),
                "TOCSIN_DB_PORT", Integer.toString(database.port()),
                "TOCSIN_DB_NAME", database.name(),
                "TOCSIN_DB_USER", database.user(),
                "QUARKUS_HTTP_PORT", Integer.toString(port)));
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

    private static boolean ready(int port) {
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
