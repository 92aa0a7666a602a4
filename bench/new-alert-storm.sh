#!/usr/bin/env bash
# The new-alert storm with P0 probes (bench/new-alert-storm.py) against the whole stack started by run-local.sh on
# spare ports, a fresh database and fake Slack and PagerDuty; writes the result to docs/performance.md between the
# NEWSTORM markers. Needs psql and python3.
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NAME=newstorm
FAKE_PORT=27091
. "$ROOT/bench/stack.sh"
export TOCSIN_SLACK_API_URL=http://127.0.0.1:$FAKE_PORT/api/ TOCSIN_SLACK_BOT_TOKEN=xoxb-bench \
  TOCSIN_SLACK_SIGNING_SECRET=bench-signing-secret TOCSIN_SLACK_CHANNEL='#bench' \
  TOCSIN_PAGERDUTY_EVENTS_URL=http://127.0.0.1:$FAKE_PORT/v2/enqueue TOCSIN_PAGERDUTY_ROUTING_KEY=R0BENCH0000000000000000000000000
await_stack
result=$(python3 "$ROOT/bench/new-alert-storm.py" http://127.0.0.1:27081 "$(cat "$WORK/ingest-token")" "$DB" "$FAKE_PORT")
echo "$result"
[ "${BENCH_WRITE:-1}" = 1 ] || exit 0
PYTHONPATH="$ROOT/bench" python3 - "$result" "$ROOT/docs/performance.md" "${BENCH_LABEL:-}" <<'PY'
from doc_block import write_block
import datetime, json, os, sys
r = json.loads(sys.argv[1])
s = r["slack"]
def ms(v):
    return "—" if v is None else f"{v:,} ms"
cpu = ", ".join(f"{k} {v} s" for k, v in r["cpu_seconds_new_phase"].items())
rss = ", ".join(f"{k} {v} MiB" for k, v in sorted(r["peak_rss_mib"].items()))
block = f"""<!-- NEWSTORM:BEGIN (written by bench/new-alert-storm.sh; do not edit by hand) -->
Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, everything on one machine{(", " + sys.argv[3]) if sys.argv[3] else ""}.

| New alerts (groups) | Incidents | Ingest time | **New alerts/s** | Repeats | **Repeats/s** | Slack calls for the storm |
|---:|---:|---:|---:|---:|---:|---|
| {r['applied_new']:,} of {r['new_alerts']:,} ({r['groups']}) | {r['incidents']} | {r['ingest_seconds']} s | **{r['new_per_second']:,}** ({r['new_seconds']} s) | {r['applied_repeats']:,} of {r['repeats']:,} | **{r['repeats_per_second']:,}** ({r['repeat_seconds']} s) | {s['roots']} roots, {s['digest_posts']} digest posts, {s['updates']} rewrites, {s['replies']} replies |

| P0 probes during the storm ({r['probes']}, {r.get('probe_interval_s', 0.5)} s apart) | arrived | p50 | p99 |
|---|---:|---:|---:|
| webhook accepted → incident opened | {r['probes_opened']} | {ms(r['incident_p50_ms'])} | {ms(r['incident_p99_ms'])} |
| → first Slack call | {r['probes_slack']} | {ms(r['slack_p50_ms'])} | {ms(r['slack_p99_ms'])} |
| → first PagerDuty event | {r['probes_pagerduty']} | {ms(r['pagerduty_p50_ms'])} | {ms(r['pagerduty_p99_ms'])} |

CPU used while the new alerts were applied ({r['new_seconds']} s on {os.cpu_count()} cores): {cpu}.
Peak resident memory (VmHWM): {rss}.
<!-- NEWSTORM:END -->"""
write_block(sys.argv[2], "NEWSTORM", block)
PY
