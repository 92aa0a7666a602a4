package io.tocsin.escalation.domain.policy;

import java.util.List;

/** A policy file that cannot be used; every problem names the file and line. */
public class PolicyFileException extends RuntimeException {

    private final transient List<String> problems;

    public PolicyFileException(List<String> problems) {
        super("invalid escalation policy file:\n  " + String.join("\n  ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
