-- A dry run in progress must not keep a real run of the same runbook from starting (nor the other way round).
DROP INDEX run_one_running;
CREATE UNIQUE INDEX run_one_running ON run (incident_id, runbook, dry_run) WHERE state = 'running';
