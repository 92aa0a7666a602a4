package io.tocsin.runbook;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import io.tocsin.events.IncidentCommand;
import io.tocsin.events.RunbookEvent;
import io.tocsin.events.Topics;
import io.tocsin.testsupport.TopicWatcher;

/** What the engine wrote to {@code tocsin.runbooks.v1} and {@code tocsin.commands.v1}, per incident. */
public final class RunbookEvents implements AutoCloseable {

    private final TopicWatcher runbooks;
    private final TopicWatcher commands;

    public RunbookEvents(String bootstrapServers) {
        runbooks = TopicWatcher.fromNow(bootstrapServers, Topics.RUNBOOKS, 3);
        commands = TopicWatcher.fromNow(bootstrapServers, Topics.COMMANDS, 3);
    }

    public List<RunbookEvent> of(UUID incident) {
        return runbooks.poll(Duration.ofMillis(100)).stream().map(r -> read(r.value(), RunbookEvent.class))
                .filter(e -> e.incidentId().equals(incident)).toList();
    }

    /** The kinds of the incident's events, as on the wire, with the step: {@code step.succeeded restart}. */
    public List<String> kinds(UUID incident) {
        return of(incident).stream().map(e -> e.kind().wire() + (e.step() == null ? "" : " " + e.step())).toList();
    }

    public List<IncidentCommand> notes(UUID incident) {
        return commands.poll(Duration.ofMillis(100)).stream().map(r -> read(r.value(), IncidentCommand.class))
                .filter(c -> c.incidentId().equals(incident)).toList();
    }

    private static <T> T read(String json, Class<T> type) {
        try {
            return IncidentFeed.MAPPER.readValue(json, type);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        runbooks.close();
        commands.close();
    }
}
