# Sourced by the benchmarks: starts ./run-local.sh in the background with the caller's environment and waits until
# it is ready. Needs ROOT, and the path of the log to write; sets RUN_PID.
# await_stack LOG
await_stack() {
  local log=$1
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
