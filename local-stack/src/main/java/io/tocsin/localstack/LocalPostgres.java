package io.tocsin.localstack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The PostgreSQL half of {@code ./run-local.sh}.
 * <ul>
 * <li>{@code serve --data DIR --port N --database NAME}: runs an embedded PostgreSQL (a real server, from Maven
 * artifacts) on 127.0.0.1 with its data kept in DIR, creates the database, and stays up until SIGTERM.</li>
 * <li>{@code ensure --host H --port N --user U --password P --database NAME}: creates the database on a running server
 * if it is missing, and exits.</li>
 * </ul>
 */
public final class LocalPostgres {

    private LocalPostgres() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: LocalPostgres serve|ensure --option value ...");
        }
        Map<String, String> options = options(args);
        switch (args[0]) {
            case "serve" -> serve(Path.of(required(options, "data")), Integer.parseInt(required(options, "port")),
                    required(options, "database"));
            case "ensure" -> ensure(jdbcUrl(required(options, "host"), Integer.parseInt(required(options, "port"))),
                    required(options, "user"), options.getOrDefault("password", ""), required(options, "database"));
            default -> throw new IllegalArgumentException("unknown command " + args[0] + "; use serve or ensure");
        }
    }

    private static void serve(Path data, int port, String database) throws IOException, SQLException,
            InterruptedException {
        Files.createDirectories(data);
        EmbeddedPostgres server = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(false)
                .setPort(port)
                .start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (IOException e) {
                System.err.println("embedded PostgreSQL did not stop cleanly: " + e.getMessage());
            }
            stopped.countDown();
        }, "postgres-shutdown"));
        ensure(jdbcUrl("127.0.0.1", port), "postgres", "", database);
        System.out.println("embedded PostgreSQL ready on 127.0.0.1:" + port + ", database " + database + ", data in "
                + data);
        stopped.await();
    }

    private static void ensure(String serverUrl, String user, String password, String database) throws SQLException {
        if (!database.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("database name must be lower-case letters, digits and '_': " + database);
        }
        try (Connection connection = DriverManager.getConnection(serverUrl + "postgres", user, password);
                PreparedStatement exists = connection.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, database);
            try (ResultSet rows = exists.executeQuery()) {
                if (rows.next()) {
                    return;
                }
            }
            try (Statement create = connection.createStatement()) {
                create.execute("CREATE DATABASE " + database);
            }
        }
    }

    private static String jdbcUrl(String host, int port) {
        return "jdbc:postgresql://" + host + ":" + port + "/";
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            if (!args[i].startsWith("--")) {
                throw new IllegalArgumentException("expected an option, got " + args[i]);
            }
            options.put(args[i].substring(2), args[i + 1]);
        }
        return options;
    }

    private static String required(Map<String, String> options, String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return value;
    }
}
