package io.tocsin.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

class PostgresDatabaseTest {

    @Test
    void eachRunGetsItsOwnEmptyDatabaseWhichIsDroppedAfterwards() throws SQLException {
        String firstName;
        try (PostgresDatabase first = PostgresDatabase.create(); PostgresDatabase second = PostgresDatabase.create()) {
            firstName = first.name();
            assertThat(first.name()).isNotEqualTo(second.name());
            execute(first, "CREATE TABLE marker (id int)");
            assertThat(tableCount(second)).isZero();
            assertThat(tableCount(first)).isEqualTo(1);
        }
        try (PostgresDatabase probe = PostgresDatabase.create()) {
            assertThat(databaseExists(probe, firstName)).isFalse();
        }
    }

    @Test
    void theEmbeddedServerWorksWhereNoServerRuns() throws SQLException {
        try (PostgresDatabase database = PostgresDatabase.createOnEmbedded()) {
            assertThat(database.isEmbedded()).isTrue();
            execute(database, "CREATE TABLE marker (id int)");
            assertThat(tableCount(database)).isEqualTo(1);
            assertThat(database.reactiveUrl()).startsWith("postgresql://127.0.0.1:").endsWith("/" + database.name());
        }
    }

    private static void execute(PostgresDatabase database, String sql) throws SQLException {
        try (Connection connection = connect(database); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static int tableCount(PostgresDatabase database) throws SQLException {
        try (Connection connection = connect(database);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static boolean databaseExists(PostgresDatabase database, String name) throws SQLException {
        try (Connection connection = connect(database);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT count(*) FROM pg_database WHERE datname = '" + name + "'")) {
            rows.next();
            return rows.getInt(1) > 0;
        }
    }

    private static Connection connect(PostgresDatabase database) throws SQLException {
        return DriverManager.getConnection(database.jdbcUrl(), database.user(), "");
    }
}
