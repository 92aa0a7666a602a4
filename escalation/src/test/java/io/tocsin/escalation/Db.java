package io.tocsin.escalation;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.Supplier;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;

/** Plain JDBC into the test database, to look at rows; and work run as the connector runs a consumer. */
public final class Db {

    private Db() {
    }

    public static Connection connect() throws SQLException {
        String url = ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
        return DriverManager.getConnection(url, "postgres", "");
    }

    /** The first column of the first row {@code sql} returns, as text; null when there is none. */
    public static String text(String sql, Object... parameters) throws SQLException {
        try (Connection connection = connect(); PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    /** {@link #text} as a number; 0 when there is no row. */
    public static long number(String sql, Object... parameters) throws SQLException {
        String value = text(sql, parameters);
        return value == null ? 0 : Long.parseLong(value);
    }

    /** Runs the work on a safe Vert.x context, as the connector calls a consumer (Hibernate Reactive needs one). */
    public static <T> T onContext(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work);
        } catch (Throwable failure) {
            throw new IllegalStateException(failure);
        }
    }
}
