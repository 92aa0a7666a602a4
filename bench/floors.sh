#!/usr/bin/env bash
# The floor of this machine: what one Kafka hop (Tocsin's producer settings, a consumer polling as Tocsin's do) and
# one PostgreSQL commit cost here with nothing of Tocsin in the way (bench/Floors.java), against the broker that
# run-local.sh starts and the PostgreSQL it uses. Idle, one at a time, like the latency probes. Writes the table to
# docs/performance.md between the FLOORS markers and prints it.
#
#   bench/floors.sh                 # 300 samples of each
set -Eeuo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NAME=floors
SAMPLES=${BENCH_SAMPLES:-300}
. "$ROOT/bench/stack.sh"
await_stack
(cd "$ROOT" && ./mvnw -B -q dependency:build-classpath -pl test-support -Dmdep.outputFile="$WORK/classpath" >/dev/null)
result=$(java -cp "$(cat "$WORK/classpath")" "$ROOT/bench/Floors.java" "127.0.0.1:$TOCSIN_KAFKA_PORT" \
  "jdbc:postgresql://${TOCSIN_DB_HOST:-127.0.0.1}:${TOCSIN_DB_PORT:-5432}/$DB" "$SAMPLES" \
  "${TOCSIN_DB_USER:-postgres}" "${TOCSIN_DB_PASSWORD:-}" 2>/dev/null | grep -v SLF4J)
echo "$result"
PYTHONPATH="$ROOT/bench" python3 - "$result" "$ROOT/docs/performance.md" "$SAMPLES" <<'PY'
from doc_block import write_block
import datetime, os, sys
result, path, samples = sys.argv[1], sys.argv[2], sys.argv[3]
names = {
    "kafka-produce-ack": "Kafka: a record produced until the broker acknowledges it (`acks=all`, idempotent, no linger)",
    "kafka-produce-to-consume": "Kafka: a record produced until a polling consumer has it (one hop between services)",
    "postgres-round-trip": "PostgreSQL: one statement's round trip (`SELECT 1`)",
    "postgres-insert-commit": "PostgreSQL: an insert and its commit (one transaction, fsync on)",
}
rows = []
for line in result.splitlines():
    name, p50, p99 = line.split()
    rows.append(f"| {names.get(name, name)} | {p50} ms | {p99} ms |")
block = f"""<!-- FLOORS:BEGIN (written by bench/floors.sh; do not edit by hand) -->
Run {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, idle, {samples} samples each, one at a time.

| Step | p50 | p99 |
|---|---:|---:|
""" + "\n".join(rows) + """
<!-- FLOORS:END -->"""
write_block(path, "FLOORS", block)
PY
