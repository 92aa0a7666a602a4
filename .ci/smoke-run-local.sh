#!/usr/bin/env bash
# Starts ./run-local.sh on spare ports, fires an alert with curl and (when installed) through a real Alertmanager
# using the configuration run-local.sh wrote, checks that an example runbook runs as a dry run for an alert it matches,
# then stops it and checks that nothing it started is left running.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

STATE=$(mktemp -d /tmp/tocsin-smoke.XXXXXX)
# A database of its own: the machine's PostgreSQL may hold open incidents from earlier runs, which the sample alert
# would join instead of opening a new one.
export TOCSIN_DB_NAME=tocsin_smoke_$(date +%s)
export TOCSIN_LOCAL_DIR=$STATE TOCSIN_INGEST_PORT=18081 TOCSIN_ESCALATION_PORT=18082 TOCSIN_NOTIFIER_PORT=18083 \
  TOCSIN_RUNBOOK_PORT=18084 TOCSIN_KAFKA_PORT=19092 TOCSIN_KAFKA_CONTROLLER_PORT=19094
# No Slack, PagerDuty or SMTP here: notifications must be logged and recorded as not sent.
unset TOCSIN_SLACK_BOT_TOKEN TOCSIN_SLACK_SIGNING_SECRET TOCSIN_PAGERDUTY_ROUTING_KEY TOCSIN_SMTP_HOST
# run-local.sh's runbook defaults: the examples, dry runs, the hosts they call allowed, no secrets.
unset TOCSIN_RUNBOOK_DIR TOCSIN_RUNBOOK_DRY_RUN TOCSIN_RUNBOOK_HTTP_ALLOWED_HOSTS TOCSIN_RUNBOOK_PROMETHEUS_URL \
  TOCSIN_RUNBOOK_SECRET_KUBE_TOKEN KUBE_API_URL PROMETHEUS_URL
AM_PORT=19093
INGEST=http://127.0.0.1:$TOCSIN_INGEST_PORT
RUN_PID= AM_PID=

fail() {
  echo "smoke: FAILED: $*" >&2
  echo "--- run-local output" >&2; cat "$STATE/run.log" >&2 || true
  for log in "$STATE"/logs/*.log "$STATE/alertmanager.log"; do
    [ -f "$log" ] && { echo "--- $log (tail)" >&2; tail -n 40 "$log" >&2; }
  done
  exit 1
}
cleanup() {
  [ -n "$AM_PID" ] && kill "$AM_PID" 2>/dev/null || true
  [ -n "$RUN_PID" ] && { kill -TERM "$RUN_PID" 2>/dev/null || true; wait "$RUN_PID" 2>/dev/null || true; }
  if command -v psql >/dev/null 2>&1; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $TOCSIN_DB_NAME WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

await() { # seconds description command...
  local seconds=$1 what=$2
  shift 2
  for _ in $(seq 1 "$seconds"); do "$@" && return 0; sleep 1; done
  fail "$what (waited ${seconds}s)"
}
metric() { curl -fs "$1" | awk -v name="$2" 'index($0, name) == 1 { sum += $NF } END { print sum + 0 }'; }

./run-local.sh >"$STATE/run.log" 2>&1 &
RUN_PID=$!
await 300 "run-local.sh did not report ready" grep -q '^\[run-local\] ready' "$STATE/run.log"
TOKEN=$(cat "$STATE/ingest-token")

status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  "$INGEST/api/v1/alerts" -d '{"labels":{"alertname":"SmokeCurl"}}')
[ "$status" = 202 ] || fail "the sample curl got HTTP $status, expected 202"
echo "smoke: sample alert accepted (202)"
API_TOKEN=$(cat "$STATE/api-token")
incident() { curl -fs -H "Authorization: Bearer $API_TOKEN" "http://127.0.0.1:18082/api/v1/incidents" | grep -q "$1"; }
await 60 "escalation opened no incident for the sample alert" incident '"title":"SmokeCurl"'
echo "smoke: escalation opened an incident for it"
INCIDENT_ID=$(curl -fs -H "Authorization: Bearer $API_TOKEN" "http://127.0.0.1:18082/api/v1/incidents" |
  grep -o '"id":"[^"]*","title":"SmokeCurl"' | head -n 1 | cut -d'"' -f4)
[ -n "$INCIDENT_ID" ] || fail "could not read the SmokeCurl incident's id"
not_sent() {
  curl -fs -H "Authorization: Bearer $API_TOKEN" "http://127.0.0.1:18082/api/v1/incidents/$INCIDENT_ID/timeline" |
    grep -q 'not sent: channel not configured'
}
await 60 "the timeline does not say the Slack notification was not sent" not_sent
grep -q "not sent: channel not configured" "$STATE/logs/notifier.log" ||
  fail "the notifier did not log the notification it could not send"
echo "smoke: without Slack credentials the notification is logged and the timeline says not sent"

RUNBOOKS=http://127.0.0.1:$TOCSIN_RUNBOOK_PORT/api/v1
api() { curl -fs -H "Authorization: Bearer $API_TOKEN" "$@"; }
curl -fs -o /dev/null "http://127.0.0.1:$TOCSIN_RUNBOOK_PORT/q/health/ready" || fail "the runbook engine is not ready"
listing=$(api "$RUNBOOKS/runbooks") || fail "GET /api/v1/runbooks failed"
files=$(find examples/runbooks -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' \) | wc -l | tr -d ' ')
valid=$(grep -o '"valid":true' <<<"$listing" | wc -l | tr -d ' ')
[ "$files" -gt 0 ] && [ "$valid" = "$files" ] && ! grep -q '"valid":false' <<<"$listing" ||
  fail "GET /api/v1/runbooks lists $valid valid runbooks, expected the $files example files: $listing"
for name in k8s-rollout-restart; do
  grep -q "\"name\":\"$name\"" <<<"$listing" || fail "GET /api/v1/runbooks does not list $name: $listing"
done
# run-local.sh's default allowlist must cover every host the examples call (unset secrets may warn: dry runs need none).
! grep -q 'the step will be refused' <<<"$listing" || fail "an example runbook calls a host run-local.sh does not allow: $listing"
grep -qE '^\{"dryRun":true,|,"dryRun":true\}$' <<<"$listing" || fail "run-local.sh did not turn the global dry run on: $listing"
echo "smoke: the runbook engine is ready and lists the $files example runbooks as valid, every host they call allowed"

status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
  "$INGEST/api/v1/alerts" -d '{"labels":{"alertname":"KubePodCrashLooping","namespace":"shop","deployment":"checkout","severity":"critical"}}')
[ "$status" = 202 ] || fail "the KubePodCrashLooping alert got HTTP $status, expected 202"
await 60 "escalation opened no incident for the KubePodCrashLooping alert" incident '"title":"KubePodCrashLooping"'
CRASH_ID=$(api "http://127.0.0.1:18082/api/v1/incidents" |
  grep -o '"id":"[^"]*","title":"KubePodCrashLooping"' | head -n 1 | cut -d'"' -f4)
[ -n "$CRASH_ID" ] || fail "could not read the KubePodCrashLooping incident's id"
echo "smoke: escalation opened incident $CRASH_ID for a KubePodCrashLooping alert"
run_done() {
  RUNS=$(api "$RUNBOOKS/runbook-runs?incident=$CRASH_ID&runbook=k8s-rollout-restart") || return 1
  grep -q '"state":"succeeded"' <<<"$RUNS" && return 0
  if grep -qE '"state":"(failed|cancelled)"' <<<"$RUNS"; then
    local run
    run=$(grep -o '"id":"[^"]*"' <<<"$RUNS" | head -n 1 | cut -d'"' -f4)
    fail "the k8s-rollout-restart run did not succeed: $(api "$RUNBOOKS/runbook-runs/$run")"
  fi
  return 1
}
RUNS=
for _ in $(seq 1 60); do run_done && break; sleep 1; done
grep -q '"runbook":"k8s-rollout-restart","state":"succeeded"' <<<"$RUNS" && grep -q '"dryRun":true' <<<"$RUNS" ||
  fail "no k8s-rollout-restart dry run for incident $CRASH_ID succeeded within 60s; runs: ${RUNS:-no answer}"
echo "smoke: a k8s-rollout-restart dry run for it succeeded: $(grep -o '"result":"[^"]*"' <<<"$RUNS" | head -n 1)"
on_timeline() {
  api "http://127.0.0.1:18082/api/v1/incidents/$CRASH_ID/timeline" | grep -q '"kind":"runbook.run.succeeded"'
}
await 60 "the incident's timeline does not show runbook.run.succeeded" on_timeline
echo "smoke: the incident's timeline shows runbook.run.succeeded"

if command -v prometheus-alertmanager >/dev/null 2>&1; then
  sed -e 's/group_wait: 10s/group_wait: 1s/' "$STATE/alertmanager.yml" >"$STATE/alertmanager-smoke.yml"
  prometheus-alertmanager --config.file="$STATE/alertmanager-smoke.yml" --storage.path="$STATE/am-data" \
    --web.listen-address=127.0.0.1:$AM_PORT --cluster.listen-address= >"$STATE/alertmanager.log" 2>&1 &
  AM_PID=$!
  await 30 "Alertmanager did not start" curl -fs -o /dev/null "http://127.0.0.1:$AM_PORT/-/ready"
  now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  curl -fs -o /dev/null -H 'Content-Type: application/json' "http://127.0.0.1:$AM_PORT/api/v2/alerts" \
    -d "[{\"labels\":{\"alertname\":\"SmokeAlertmanager\",\"severity\":\"critical\"},\"startsAt\":\"$now\"}]" ||
    fail "Alertmanager refused the alert"
  accepted() { [ "$(metric "$INGEST/q/metrics" 'tocsin_ingest_alerts_accepted_total{origin="alertmanager"')" != 0 ]; }
  await 60 "no alert arrived from Alertmanager" accepted
  failed=$(metric "http://127.0.0.1:$AM_PORT/metrics" 'alertmanager_notifications_failed_total{integration="webhook"')
  [ "$failed" = 0 ] || fail "Alertmanager reports $failed failed webhook notifications"
  echo "smoke: a real Alertmanager delivered through the printed receiver with no failed notifications"
  kill "$AM_PID"; wait "$AM_PID" 2>/dev/null || true; AM_PID=
else
  echo "smoke: prometheus-alertmanager is not installed; skipped the Alertmanager delivery check"
fi

kill -TERM "$RUN_PID"
wait "$RUN_PID" 2>/dev/null || true
RUN_PID=
leftovers=$(pgrep -f "$STATE" || true)
[ -z "$leftovers" ] || fail "processes left running after SIGTERM: $leftovers"
# The services' command lines do not name the state folder: their ports must be closed.
for port in $TOCSIN_INGEST_PORT $TOCSIN_ESCALATION_PORT $TOCSIN_NOTIFIER_PORT $TOCSIN_RUNBOOK_PORT $TOCSIN_KAFKA_PORT; do
  ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || fail "port $port still answers after SIGTERM"
done
echo "smoke: run-local.sh stopped everything it started"

# A configuration mistake stops the start at once, and run-local.sh prints the service's line naming it.
BAD=$STATE/bad-start
started=$(date +%s)
if TOCSIN_LOCAL_DIR=$BAD TOCSIN_SERVICES=runbook-engine TOCSIN_RUNBOOK_DRY_RUN=maybe timeout 120 ./run-local.sh \
  >"$STATE/bad-run.log" 2>&1; then
  fail "run-local.sh started although TOCSIN_RUNBOOK_DRY_RUN=maybe: $(cat "$STATE/bad-run.log")"
fi
grep -q 'Configuration problem: TOCSIN_RUNBOOK_DRY_RUN: "maybe" is neither true nor false' "$STATE/bad-run.log" &&
  grep -q "its log: $BAD/logs/runbook-engine.log" "$STATE/bad-run.log" ||
  fail "run-local.sh did not print the runbook engine's configuration problem: $(cat "$STATE/bad-run.log")"
leftovers=$(pgrep -f "$BAD" || true)
[ -z "$leftovers" ] || fail "processes left running after the refused start: $leftovers"
echo "smoke: a bad TOCSIN_RUNBOOK_DRY_RUN stopped the start in $(($(date +%s) - started)) s with the line naming it"
rm -rf "$STATE"
