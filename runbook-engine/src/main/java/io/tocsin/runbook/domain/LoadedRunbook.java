package io.tocsin.runbook.domain;

import java.util.List;

/**
 * One runbook file as loaded: the runbook when the file is valid, else every problem with its file and line. An
 * invalid runbook never runs. Warnings (an unset secret, a host off the allowlist) let it load but say what will fail.
 */
public record LoadedRunbook(String file, String name, Runbook runbook, List<String> errors, List<String> warnings) {

    public LoadedRunbook {
        errors = List.copyOf(errors);
        warnings = List.copyOf(warnings);
    }

    public boolean valid() {
        return runbook != null;
    }
}
