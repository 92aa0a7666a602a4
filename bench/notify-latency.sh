#!/usr/bin/env bash
# End-to-end latency from an accepted webhook to the first Slack call (bench/notify-latency.py), against the whole
# stack started by run-local.sh on spare ports with a fresh database and a fake Slack; writes the result to
# docs/performance.md between the LATENCY markers. Needs python3.
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NAME=latency
SLACK_PORT=27090
. "$ROOT/bench/stack.sh"
export TOCSIN_SLACK_API_URL=http://127.0.0.1:$SLACK_PORT/api/ TOCSIN_SLACK_BOT_TOKEN=xoxb-bench \
  TOCSIN_SLACK_CHANNEL='#bench'
await_stack
result=$(python3 "$ROOT/bench/notify-latency.py" http://127.0.0.1:27081 "$(cat "$WORK/ingest-token")" "$SLACK_PORT")
echo "$result"
PYTHONPATH="$ROOT/bench" python3 - "$result" "$ROOT/docs/performance.md" <<'PY'
from doc_block import write_block
import datetime, json, os, sys
r = json.loads(sys.argv[1])
i = r["idle"]
def cell(v):
    return "—" if v is None else f"{v} ms"
rows = [f"| Idle | {i['probes']} | **{i['p50_ms']} ms** | **{i['p99_ms']} ms** | {i['max_ms']} ms | p50 ≤ 10 ms, p99 ≤ 50 ms |"]
for l in r["loaded"]:
    note = l.get("error", "")
    rows.append(f"| Under {l['target_alerts_per_second']:,} alerts/s of background load (sent {l['achieved_alerts_per_second']:,}/s) | "
                f"{l['probes']} | {cell(l['p50_ms'])} | {cell(l['p99_ms'])} | {cell(l['max_ms'])} | {note} |")
table = "\n".join(rows)
block = f"""<!-- LATENCY:BEGIN (written by bench/notify-latency.sh; do not edit by hand) -->
Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, everything on one machine.

| | Probes | p50 | p99 | max | Goal / note |
|---|---:|---:|---:|---:|---|
{table}
<!-- LATENCY:END -->"""
path = sys.argv[2]
write_block(path, "LATENCY", block)
PY
