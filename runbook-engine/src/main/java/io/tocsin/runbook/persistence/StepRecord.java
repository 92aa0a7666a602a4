package io.tocsin.runbook.persistence;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A row of {@code run_step}: a step a run reached, with its inputs (secrets redacted), output and outcome. */
@Entity
@Table(name = "run_step")
public class StepRecord {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "run_id")
    public UUID runId;

    @Column(name = "step_index")
    public int stepIndex;

    public String name;

    public String kind;

    /** {@code running}, or the outcome: succeeded, failed, approved, denied, timed-out. */
    public String state;

    public int attempts;

    public String input;

    public String output;

    /** Who decided an approval. */
    public String actor;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;
}
