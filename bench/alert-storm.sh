#!/usr/bin/env bash
# The escalation alert storm (bench/alert-storm.py) against the whole stack started by run-local.sh on spare ports and
# a fresh database; writes the result to docs/performance.md between the STORM markers. Needs psql and python3.
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NAME=storm
. "$ROOT/bench/stack.sh"
await_stack
result=$(python3 "$ROOT/bench/alert-storm.py" http://127.0.0.1:27081 "$(cat "$WORK/ingest-token")" "$DB")
echo "$result"
PYTHONPATH="$ROOT/bench" python3 - "$result" "$ROOT/docs/performance.md" <<'PY'
from doc_block import write_block
import datetime, json, os, sys
r = json.loads(sys.argv[1])
block = f"""<!-- STORM:BEGIN (written by bench/alert-storm.sh; do not edit by hand) -->
Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, everything on one machine.

| Deliveries | Requests (10 alerts each) | Groups | Incidents opened | Deliveries applied | Ingest time | Total time | Processing rate | Lag after the last request |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
| {r['deliveries']:,} | {r['requests']:,} | {r['groups']} | **{r['incidents']}** | {r['applied']:,} | {r['ingest_seconds']} s | {r['total_seconds']} s | **{r['deliveries_per_second']:,} deliveries/s** | {r['lag_after_last_request_seconds']} s |
<!-- STORM:END -->"""
path = sys.argv[2]
write_block(path, "STORM", block)
PY
