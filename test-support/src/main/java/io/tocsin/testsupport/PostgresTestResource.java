package io.tocsin.testsupport;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives a {@code @QuarkusTest} application a fresh PostgreSQL database of its own (see {@link PostgresDatabase}), for
 * both the reactive client and JDBC (Flyway), and drops it when the application stops.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    private PostgresDatabase database;

    @Override
    public Map<String, String> start() {
        database = PostgresDatabase.create();
        return Map.of(
                "quarkus.datasource.username", database.user(),
                "quarkus.datasource.password", "",
                "quarkus.datasource.reactive.url", database.reactiveUrl(),
                "quarkus.datasource.jdbc.url", database.jdbcUrl());
    }

    @Override
    public void stop() {
        if (database != null) {
            database.close();
        }
    }
}
