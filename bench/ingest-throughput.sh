#!/usr/bin/env bash
# Ingest throughput and latency, Tocsin alert-ingest side by side with Prometheus Alertmanager's own
# POST /api/v2/alerts, on the same alerts, in the same run, on this machine. Writes the table to
# docs/performance.md (between the INGEST markers) and prints it.
#
#   bench/ingest-throughput.sh            # 20 s per measurement
#   BENCH_SECONDS=60 bench/ingest-throughput.sh
#
# Needs wrk and prometheus-alertmanager (Debian packages; installed when missing and running as root).
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SECONDS_PER_RUN=${BENCH_SECONDS:-20}
WARMUP=${BENCH_WARMUP_SECONDS:-30}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
WORK=$(mktemp -d /tmp/tocsin-bench.XXXXXX)
AM_PORT=29093 INGEST_PORT=28081
RUN_PID= AM_PID=

cleanup() {
  [ -n "$AM_PID" ] && kill "$AM_PID" 2>/dev/null || true
  [ -n "$RUN_PID" ] && { kill -TERM "$RUN_PID" 2>/dev/null || true; wait "$RUN_PID" 2>/dev/null || true; }
  rm -rf "$WORK"
}
trap cleanup EXIT

for tool in wrk prometheus-alertmanager; do
  if ! command -v "$tool" >/dev/null; then
    pkg=$tool
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null 2>&1 ||
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null; }
  fi
done

echo "bench: starting Tocsin (run-local.sh) and Alertmanager"
# The door alone: alert-ingest and Kafka, as Alertmanager's API alone. The services downstream would take these two
# cores from both (in production they run elsewhere); bench/alert-storm.sh measures them.
TOCSIN_SERVICES=alert-ingest TOCSIN_LOCAL_DIR=$WORK/tocsin TOCSIN_INGEST_PORT=$INGEST_PORT TOCSIN_KAFKA_PORT=29092 \
  TOCSIN_KAFKA_CONTROLLER_PORT=29094 "$ROOT/run-local.sh" >"$WORK/run.log" 2>&1 &
RUN_PID=$!
cat >"$WORK/am.yml" <<YAML
route:
  receiver: blackhole
receivers:
  - name: blackhole
YAML
prometheus-alertmanager --config.file="$WORK/am.yml" --storage.path="$WORK/am-data" \
  --web.listen-address=127.0.0.1:$AM_PORT --cluster.listen-address= --log.level=warn >"$WORK/am.log" 2>&1 &
AM_PID=$!
for _ in $(seq 1 600); do
  grep -q '^\[run-local\] ready' "$WORK/run.log" && break
  kill -0 "$RUN_PID" 2>/dev/null || break
  sleep 1
done
grep -q '^\[run-local\] ready' "$WORK/run.log" || { cat "$WORK/run.log"; exit 1; }
TOKEN=$(cat "$WORK/tocsin/ingest-token")

for batch in 1 50; do
  python3 "$ROOT/bench/make_bodies.py" list "$batch" 2000 "$WORK/list-$batch.jsonl"
  python3 "$ROOT/bench/make_bodies.py" webhook "$batch" 2000 "$WORK/webhook-$batch.jsonl"
done

# run NAME BATCH URL PATH AUTH BODIES -> appends "name batch req/s p50 p99 errors" to results
run() {
  local name=$1 batch=$2 url=$3 path=$4 auth=$5 bodies=$6 out
  BENCH_PATH=$path BENCH_AUTH=$auth BENCH_BODIES=$bodies \
    wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" -s "$ROOT/bench/post-bodies.lua" "$url" >/dev/null
  out=$(BENCH_PATH=$path BENCH_AUTH=$auth BENCH_BODIES=$bodies \
    wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -s "$ROOT/bench/post-bodies.lua" "$url")
  echo "$out" >"$WORK/wrk-$name-$batch.txt"
  python3 - "$name" "$batch" "$WORK/wrk-$name-$batch.txt" >>"$WORK/results" <<'PY'
import re, sys
name, batch, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
text = open(path).read()
def ms(label):
    m = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\s*$" % label, text, re.M)
    value, unit = float(m.group(1)), m.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
total = int(re.search(r"(\d+) requests in", text).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
errors = int(bad.group(1)) if bad else 0
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
if sock:
    errors += sum(int(x) for x in sock.groups())
print(f"{name} {batch} {rps:.1f} {ms('50%'):.2f} {ms('99%'):.2f} {errors} {total}")
PY
}

AM_URL=http://127.0.0.1:$AM_PORT
IN_URL=http://127.0.0.1:$INGEST_PORT
: >"$WORK/results"
for batch in 1 50; do
  echo "bench: batch $batch"
  run alertmanager "$batch" "$AM_URL" /api/v2/alerts "" "$WORK/list-$batch.jsonl"
  run tocsin-generic "$batch" "$IN_URL" /api/v1/alerts "Bearer $TOKEN" "$WORK/list-$batch.jsonl"
  run tocsin-webhook "$batch" "$IN_URL" /api/v1/alerts/alertmanager "Bearer $TOKEN" "$WORK/webhook-$batch.jsonl"
done
# The ceiling of alert-ingest's HTTP stack here: the same batch-1 requests with a wrong token, answered 401 before
# anything is parsed or written. No durable door can answer faster than this.
run tocsin-401 1 "$IN_URL" /api/v1/alerts "Bearer wrong-token" "$WORK/list-1.jsonl"

ingest_pid=$(pgrep -f 'alert-ingest/target/quarkus-app/quarkus-run.jar' | head -n1 || true)
ingest_rss=$(ps -o rss= -p "$ingest_pid" 2>/dev/null | tr -d ' ' || echo 0)
am_rss=$(ps -o rss= -p "$AM_PID" | tr -d ' ')
accepted=$(curl -fs "$IN_URL/q/metrics" | awk '/^tocsin_ingest_alerts_accepted_total/ { s += $NF } END { printf "%d", s }')

PYTHONPATH="$ROOT/bench" python3 - "$WORK/results" "$ROOT/docs/performance.md" "$ingest_rss" "$am_rss" "$accepted" \
  "$SECONDS_PER_RUN" "$CONNECTIONS" <<'PY'
from doc_block import write_block
import datetime, os, platform, subprocess, sys
results_path, doc_path, ingest_rss, am_rss, accepted, seconds, connections = sys.argv[1:]
rows = [line.split() for line in open(results_path) if line.strip()]
by = {(r[0], int(r[1])): r for r in rows}
lines = ["| Target | Batch | Requests/s | **Alerts/s** | p50 ms | p99 ms | Errors | vs Alertmanager |",
         "|---|---:|---:|---:|---:|---:|---:|---:|"]
for batch in (1, 50):
    base = float(by[("alertmanager", batch)][2]) * batch
    for name in ("alertmanager", "tocsin-generic", "tocsin-webhook"):
        r = by[(name, batch)]
        alerts = float(r[2]) * batch
        lines.append(f"| {name} | {batch} | {float(r[2]):,.0f} | **{alerts:,.0f}** | {r[3]} | {r[4]} | {r[5]} | "
                     f"{alerts / base:.2f}x |")
ceiling = by.get(("tocsin-401", 1))
if ceiling:
    base = float(by[("alertmanager", 1)][2])
    lines.append("")
    lines.append(f"HTTP ceiling: the same batch-1 requests with a wrong token, answered 401 by alert-ingest before anything "
                 f"is parsed or written: **{float(ceiling[2]):,.0f} requests/s** ({float(ceiling[2]) / base:.2f}x "
                 f"Alertmanager), p50 {ceiling[3]} ms, p99 {ceiling[4]} ms.")
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True,
                     text=True).stdout.strip()
java = subprocess.run(["sh", "-c", "java -version 2>&1 | head -1"], capture_output=True, text=True).stdout.strip()
table = "\n".join(lines)
block = f"""<!-- INGEST:BEGIN (written by bench/ingest-throughput.sh; do not edit by hand) -->
Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores ({cpu}), {java},
`wrk -t2 -c{connections}`, {seconds} s per row after a warm-up, everything (wrk, Kafka, alert-ingest,
Alertmanager) on the same machine.

{table}

Resident memory after the run: alert-ingest {int(ingest_rss) // 1024} MiB (`-Xmx256m`), Alertmanager
{int(am_rss) // 1024} MiB. Alerts that alert-ingest acknowledged (each one durably in Kafka, `acks=all`):
{int(accepted):,}.
<!-- INGEST:END -->"""
write_block(doc_path, "INGEST", block)
print(block)
PY
