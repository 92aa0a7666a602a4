package io.tocsin.escalation.health;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.tocsin.testsupport.PostgresDatabase;
import io.tocsin.testsupport.TcpProxy;

/**
 * A fresh database reached only through a {@link TcpProxy}, so a test can take PostgreSQL away from the application
 * (and give it back) without stopping the server other tests share. The proxy is {@link #PROXY}.
 */
public class ProxiedPostgresTestResource implements QuarkusTestResourceLifecycleManager {

    /** The proxy of the running application; one application at a time uses this resource. */
    static volatile TcpProxy PROXY;

    private PostgresDatabase database;

    @Override
    public Map<String, String> start() {
        database = PostgresDatabase.create();
        PROXY = TcpProxy.to(database.host(), database.port());
        String at = "127.0.0.1:" + PROXY.port() + "/" + database.name();
        return Map.of(
                "quarkus.datasource.username", database.user(),
                "quarkus.datasource.password", "",
                "quarkus.datasource.reactive.url", "postgresql://" + at,
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://" + at);
    }

    @Override
    public void stop() {
        if (PROXY != null) {
            PROXY.close();
        }
        if (database != null) {
            database.close();
        }
    }
}
