package io.tocsin.runbook.domain;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One step of a runbook, as its file defines it; {@code line} is where it starts in the file. */
public sealed interface Step {

    String name();

    /** The kind as the file writes it: {@code http}, {@code prometheus-query}, ... */
    String kind();

    OnFailure onFailure();

    int line();

    /**
     * Calls an HTTP API. Substitutions in {@code url} are percent-encoded, and its scheme, host and port may not be
     * templated. {@code idempotent}: whether a call cut off by a crash may be made again.
     */
    record Http(String name, String method, Template url, Map<String, Template> headers, Template body,
            Set<Integer> expectStatus, Duration timeout, int retries, boolean idempotent, OnFailure onFailure,
            int line) implements Step {
        @Override
        public String kind() {
            return "http";
        }
    }

    /** Queries a Prometheus HTTP API and tests every sample against {@code condition}. */
    record PrometheusQuery(String name, String url, Template query, Condition condition, boolean emptySucceeds,
            Duration timeout, int retries, OnFailure onFailure, int line) implements Step {
        @Override
        public String kind() {
            return "prometheus-query";
        }
    }

    /** Waits, durably: a restart does not shorten or lose it. */
    record Wait(String name, Duration duration, int line) implements Step {
        @Override
        public String kind() {
            return "wait";
        }

        @Override
        public OnFailure onFailure() {
            return OnFailure.STOP;
        }
    }

    /** Asks people to approve in the incident's Slack thread or through the API; denial or time-out fails it. */
    record Approval(String name, Template message, Duration timeout, OnFailure onFailure, int line) implements Step {
        @Override
        public String kind() {
            return "approval";
        }
    }

    /** A message on the incident's timeline and channels (a note from {@code runbook:<name>}). */
    record Notify(String name, Template message, int line) implements Step {
        @Override
        public String kind() {
            return "notify";
        }

        @Override
        public OnFailure onFailure() {
            return OnFailure.STOP;
        }
    }

    /** Goes to {@code then} when step {@code ifStep} ended as {@code ifOutcome}, else to {@code otherwise} (or on). */
    record Branch(String name, String ifStep, Outcome ifOutcome, String then, String otherwise, int line)
            implements
                Step {
        @Override
        public String kind() {
            return "branch";
        }

        @Override
        public OnFailure onFailure() {
            return OnFailure.STOP;
        }
    }

    /** Runs an allowlisted program, without a shell; each argument is one template. */
    record Shell(String name, List<Template> command, Duration timeout, boolean idempotent, OnFailure onFailure,
            int line) implements Step {
        @Override
        public String kind() {
            return "shell";
        }
    }
}
