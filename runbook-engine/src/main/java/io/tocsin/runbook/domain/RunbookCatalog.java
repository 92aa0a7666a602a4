package io.tocsin.runbook.domain;

import java.util.List;
import java.util.Optional;

import io.tocsin.events.Priority;

/** Every runbook file found at start, valid or not, in file-name order. */
public record RunbookCatalog(List<LoadedRunbook> files) {

    public RunbookCatalog {
        files = List.copyOf(files);
    }

    /** The valid runbook named {@code name}. */
    public Optional<Runbook> named(String name) {
        return files.stream().filter(f -> f.valid() && f.runbook().name().equals(name)).map(LoadedRunbook::runbook)
                .findFirst();
    }

    /** The loaded file of the runbook named {@code name}, valid or not. */
    public Optional<LoadedRunbook> file(String name) {
        return files.stream().filter(f -> name.equals(f.name())).findFirst();
    }

    /** The valid runbooks with {@code trigger} whose labels and minimum priority this incident meets. */
    public List<Runbook> startingOn(Trigger trigger, java.util.Map<String, String> labels, Priority priority) {
        return files.stream().filter(LoadedRunbook::valid).map(LoadedRunbook::runbook)
                .filter(r -> r.trigger() == trigger && r.match().labelMismatch(labels) == null
                        && r.match().priorityReached(priority))
                .toList();
    }
}
