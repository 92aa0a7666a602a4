package io.tocsin.runbook.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of {@code run}: one run of one runbook for one incident, and where it stands. */
@Entity
@Table(name = "run")
public class RunRecord {

    public static final String RUNNING = "running";
    public static final String SUCCEEDED = "succeeded";
    public static final String FAILED = "failed";
    public static final String CANCELLED = "cancelled";

    /** The current step is to start now. */
    public static final String DUE = "due";
    /** The current step's call is under way; if still so at {@code nextAt}, a crash cut it off. */
    public static final String IN_FLIGHT = "in-flight";
    /** The current step waits until {@code nextAt}. */
    public static final String WAITING = "waiting";
    /** The current step waits for a decision, at most until {@code nextAt}. */
    public static final String AWAITING_APPROVAL = "awaiting-approval";
    /** The run is over. */
    public static final String DONE = "done";

    @Id
    public UUID id;

    @Column(name = "incident_id")
    public UUID incidentId;

    public String runbook;

    @Column(name = "definition_hash")
    public String definitionHash;

    /** {@code opened}, {@code priority} or {@code manual}. */
    public String trigger;

    @Column(name = "started_by")
    public String startedBy;

    @Column(name = "dry_run")
    public boolean dryRun;

    @Column(name = "cancel_on_resolve")
    public boolean cancelOnResolve;

    public String state;

    @Column(name = "step_index")
    public int stepIndex;

    @Column(name = "step_state")
    public String stepState;

    /** Attempts of the current step so far. */
    public int attempt;

    @Column(name = "next_at")
    public Instant nextAt;

    public Instant deadline;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    /** For people: how it ended. */
    public String result;
}
