# Sourced by the benchmarks: the whole stack from ./run-local.sh on the bench ports (27xxx), with a work folder and
# a database of its own that are removed on exit. Needs ROOT and NAME (the benchmark's name); sets WORK, DB and
# RUN_PID, and exports the run-local settings; the caller may export more before calling await_stack.
WORK=$(mktemp -d "/tmp/tocsin-$NAME.XXXXXX")
DB=tocsin_${NAME}_$(date +%s)
RUN_PID=
stack_cleanup() {
  [ -n "$RUN_PID" ] && { kill -TERM "$RUN_PID" 2>/dev/null || true; wait "$RUN_PID" 2>/dev/null || true; }
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap stack_cleanup EXIT
export TOCSIN_LOCAL_DIR=$WORK TOCSIN_DB_NAME=$DB TOCSIN_INGEST_PORT=27081 TOCSIN_ESCALATION_PORT=27082 \
  TOCSIN_NOTIFIER_PORT=27083 TOCSIN_KAFKA_PORT=27092 TOCSIN_KAFKA_CONTROLLER_PORT=27094

# await_stack: starts run-local.sh in the background and waits until it says it is ready.
await_stack() {
  local log=$WORK/run.log
  "$ROOT/run-local.sh" >"$log" 2>&1 &
  RUN_PID=$!
  for _ in $(seq 1 600); do
    grep -q '^\[run-local\] ready' "$log" && return 0
    kill -0 "$RUN_PID" 2>/dev/null || break
    sleep 1
  done
  cat "$log"
  exit 1
}
