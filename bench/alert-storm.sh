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
python3 - "$result" "$ROOT/docs/performance.md" <<'PY'
import datetime, json, os, re, sys
r = json.loads(sys.argv[1])
block = f"""<!-- STORM:BEGIN (written by bench/alert-storm.sh; do not edit by hand) -->
Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, everything on one machine.

| Deliveries | Requests (10 alerts each) | Groups | Incidents opened | Deliveries applied | Ingest time | Total time | Processing rate | Lag after the last request |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
| {r['deliveries']:,} | {r['requests']:,} | {r['groups']} | **{r['incidents']}** | {r['applied']:,} | {r['ingest_seconds']} s | {r['total_seconds']} s | **{r['deliveries_per_second']:,} deliveries/s** | {r['lag_after_last_request_seconds']} s |
<!-- STORM:END -->"""
path = sys.argv[2]
doc = open(path).read()
if "<!-- STORM:BEGIN" in doc:
    doc = re.sub(r"<!-- STORM:BEGIN.*?<!-- STORM:END -->", lambda _: block, doc, flags=re.S)
else:
    doc += "\n## Escalation: an alert storm\n\n```bash\nbench/alert-storm.sh\n```\n\n100 groups of 10 alerts, each group's whole notification re-sent 100 times (Alertmanager's resends and\nits HA twin): 100 000 alert deliveries through alert-ingest into escalation. Every delivery must be applied\n(counted on its occurrence) and exactly one incident opened per group.\n\n" + block + "\n"
open(path, "w").write(doc)
PY
