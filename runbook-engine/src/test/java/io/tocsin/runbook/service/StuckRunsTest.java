package io.tocsin.runbook.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tocsin.events.Priority;
import io.tocsin.runbook.Api;
import io.tocsin.runbook.Db;
import io.tocsin.runbook.Fakes;
import io.tocsin.runbook.IncidentFeed;
import io.tocsin.runbook.TestClock;
import io.tocsin.runbook.domain.RunbookCatalog;
import io.tocsin.testsupport.InjectKafkaBroker;
import io.tocsin.testsupport.KafkaBroker;
import io.tocsin.testsupport.KafkaTestResource;
import io.tocsin.testsupport.PostgresTestResource;

/**
 * Runs that cannot move never hold back another incident's run: a full batch of runs whose rows refuse every write
 * (due before it) and a run whose step throws on every round, while a new run for another incident goes through.
 */
@QuarkusTest
@WithTestResource(KafkaTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(Fakes.class)
class StuckRunsTest {

    /** As many as a round claims: before the fix they filled every round, which went round again at once. */
    private static final int UNWRITABLE = 50;

    @InjectKafkaBroker
    KafkaBroker broker;

    @Inject
    RunbookCatalog catalog;

    @AfterEach
    void unrig() {
        Db.update("drop trigger if exists rigged on runbook.run");
        Db.update("update runbook.run set state = 'failed', step_state = 'done' where started_by = 'rigged'");
    }

    @Test
    void runsThatCannotMoveDoNotHoldBackAnotherIncidentsRun() {
        Instant now = TestClock.CLOCK.instant();
        String hash = catalog.named("manual-echo").orElseThrow().hash();
        String title = "Rigged " + UUID.randomUUID();
        Db.update("insert into runbook.incident_view (incident_id, title, priority, state, labels, annotations, "
                + "opened_at, updated_at) select gen_random_uuid(), ?, 'P2', 'open', '{\"test\":\"manual\"}'::jsonb, "
                + "'{}'::jsonb, ?, ? from generate_series(1, ?)", title, ts(now), ts(now), UNWRITABLE);
        Db.update("insert into runbook.run (id, incident_id, runbook, definition_hash, trigger, started_by, dry_run, "
                + "cancel_on_resolve, state, step_index, step_state, attempt, next_at, deadline, started_at) select "
                + "gen_random_uuid(), incident_id, 'manual-echo', ?, 'manual', 'rigged', false, true, 'running', 1, "
                + "'due', 0, ?, ?, ? from runbook.incident_view where title = ?", hash, ts(now.minusSeconds(3600)),
                ts(now.plusSeconds(86_400)), ts(now.minusSeconds(3600)), title);
        Db.update("create or replace function runbook.refuse_update() returns trigger as $$ begin raise exception "
                + "'rigged: this row cannot be written'; end $$ language plpgsql");
        Db.update("create trigger rigged before update on runbook.run for each row when (old.started_by = 'rigged') "
                + "execute function runbook.refuse_update()");
        // A run whose current step does not exist: moving it throws, round after round.
        UUID throwing = UUID.randomUUID();
        Db.update("insert into runbook.incident_view (incident_id, title, priority, state, labels, annotations, "
                + "opened_at, updated_at) values (?, 'Throwing', 'P2', 'open', '{}'::jsonb, '{}'::jsonb, ?, ?)",
                throwing, ts(now), ts(now));
        Db.update("insert into runbook.run (id, incident_id, runbook, definition_hash, trigger, started_by, dry_run, "
                + "cancel_on_resolve, state, step_index, step_state, attempt, next_at, deadline, started_at) values "
                + "(?, ?, 'manual-echo', ?, 'manual', 'api:tests', false, true, 'running', 99, 'due', 0, ?, ?, ?)",
                UUID.randomUUID(), throwing, hash, ts(now.minusSeconds(1800)), ts(now.plusSeconds(86_400)),
                ts(now.minusSeconds(1800)));

        UUID other = UUID.randomUUID();
        IncidentFeed.to(broker.bootstrapServers()).send(IncidentFeed.opened(other, Priority.P1, Map.of("alertname",
                "Stuck", "test", "dry", "deployment", "stuck-1")));

        await().atMost(Duration.ofSeconds(30)).until(() -> "succeeded".equals(Api.state(other)));
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            TestClock.CLOCK.advance(Duration.ofSeconds(1));
            return "failed".equals(Api.state(throwing));
        });
        assertThat(Api.run(throwing).getString("result")).isEqualTo("the engine could not go on with this run: "
                + "IndexOutOfBoundsException: Index: 99 Size: 2");
    }

    private static Timestamp ts(Instant instant) {
        return Timestamp.from(instant);
    }
}
