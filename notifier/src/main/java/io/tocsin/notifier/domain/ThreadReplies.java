package io.tocsin.notifier.domain;

import io.tocsin.events.AlertAttached;
import io.tocsin.events.AlertResolved;
import io.tocsin.events.AlertsAttached;
import io.tocsin.events.IncidentAcknowledged;
import io.tocsin.events.IncidentEscalated;
import io.tocsin.events.IncidentEvent;
import io.tocsin.events.IncidentReopened;
import io.tocsin.events.IncidentResolved;
import io.tocsin.events.IncidentSnoozed;
import io.tocsin.events.IncidentUnacknowledged;
import io.tocsin.events.NoteAdded;
import io.tocsin.events.PriorityChanged;
import io.tocsin.events.RunbookProgressed;
import io.tocsin.events.SlaBreached;

/**
 * How talkative an incident's Slack thread is. Every event but runbook progress updates the root message in place;
 * these levels decide which events also get a reply in its thread.
 */
public enum ThreadReplies {
    /**
     * Resolution, reopening, SLA breaches, repeated pages, and of runbooks failed runs, approval requests and what
     * became of each request (approved, denied, timed out, or its step failed because the run was cancelled or timed
     * out while asking) only.
     */
    QUIET,
    /**
     * Also acknowledgements, priority changes, snoozes, notes, escalations by people, and runbook runs starting and
     * ending and failed steps. The default.
     */
    NORMAL,
    /** Also every alert attached or resolved, automatic escalations, and every runbook step. */
    VERBOSE;

    /** The {@code stepKind} of an approval step. */
    private static final String APPROVAL_STEP = "approval";

    public static ThreadReplies parse(String value) {
        for (ThreadReplies level : values()) {
            if (level.name().equalsIgnoreCase(value.trim())) {
                return level;
            }
        }
        throw new IllegalArgumentException("tocsin.notifier.slack.thread-replies: \"" + value
                + "\" is not a level; use quiet, normal or verbose");
    }

    /** Whether {@code event} gets a reply in the thread at this level. */
    public boolean replyTo(IncidentEvent event) {
        if (event instanceof IncidentResolved || event instanceof IncidentReopened || event instanceof SlaBreached) {
            return true;
        }
        if (event instanceof IncidentAcknowledged || event instanceof IncidentUnacknowledged
                || event instanceof PriorityChanged || event instanceof IncidentSnoozed || event instanceof NoteAdded) {
            return this != QUIET;
        }
        if (event instanceof RunbookProgressed progressed) {
            return replyTo(progressed);
        }
        if (event instanceof IncidentEscalated escalated) {
            return this == VERBOSE || (this == NORMAL && !Actors.SYSTEM.equals(escalated.actor()));
        }
        return this == VERBOSE && (event instanceof AlertAttached || event instanceof AlertsAttached
                || event instanceof AlertResolved);
    }

    private boolean replyTo(RunbookProgressed progressed) {
        if (progressed.kind() == null) {
            return this == VERBOSE;
        }
        return switch (progressed.kind()) {
            // Someone has to act on an approval request, and a failed run may leave things half done. A request is
            // posted at every level, so what became of it is too: whoever pressed sees the outcome in the thread.
            case APPROVAL_REQUESTED, APPROVED, DENIED, APPROVAL_TIMED_OUT, RUN_FAILED -> true;
            // A failed approval step: the run was cancelled or timed out while it asked.
            case STEP_FAILED -> this != QUIET || APPROVAL_STEP.equals(progressed.stepKind());
            case RUN_STARTED, RUN_SUCCEEDED, RUN_CANCELLED -> this != QUIET;
            case STEP_STARTED, STEP_SUCCEEDED, UNKNOWN -> this == VERBOSE;
        };
    }
}
