#!/usr/bin/env bash
# Starts ./run-local.sh on spare ports, fires an alert with curl and (when installed) through a real Alertmanager
# using the configuration run-local.sh wrote, then stops it and checks that nothing it started is left running.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

STATE=$(mktemp -d /tmp/tocsin-smoke.XXXXXX)
# A database of its own: the machine's PostgreSQL may hold open incidents from earlier runs, which the sample alert
# would join instead of opening a new one.
export TOCSIN_DB_NAME=tocsin_smoke_$(date +%s)
export TOCSIN_LOCAL_DIR=$STATE TOCSIN_INGEST_PORT=18081 TOCSIN_ESCALATION_PORT=18082 TOCSIN_NOTIFIER_PORT=18083 \
  TOCSIN_KAFKA_PORT=19092 TOCSIN_KAFKA_CONTROLLER_PORT=19094
# No Slack, PagerDuty or SMTP here: notifications must be logged and recorded as not sent.
unset TOCSIN_SLACK_BOT_TOKEN TOCSIN_SLACK_SIGNING_SECRET TOCSIN_PAGERDUTY_ROUTING_KEY TOCSIN_SMTP_HOST
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
echo "smoke: run-local.sh stopped everything it started"
rm -rf "$STATE"
