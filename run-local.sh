#!/usr/bin/env bash
# Runs the whole of Tocsin on this machine: a Kafka broker, PostgreSQL, and every service that exists.
# Stays in the foreground; Ctrl-C or SIGTERM stops everything it started. See README "Quick start".
set -Eeuo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${TOCSIN_LOCAL_DIR:-$ROOT/.local}
LOGS=$STATE/logs
KAFKA_PORT=${TOCSIN_KAFKA_PORT:-9092}
CONTROLLER_PORT=${TOCSIN_KAFKA_CONTROLLER_PORT:-9094}
DB_HOST=${TOCSIN_DB_HOST:-127.0.0.1}
DB_PORT=${TOCSIN_DB_PORT:-5432}
DB_USER=${TOCSIN_DB_USER:-postgres}
DB_PASSWORD=${TOCSIN_DB_PASSWORD:-}
DB_NAME=${TOCSIN_DB_NAME:-tocsin}
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
# The runbook engine: the example runbooks, as dry runs, allowed to call the hosts they name (docs/runbooks.md).
RUNBOOK_DIR=${TOCSIN_RUNBOOK_DIR:-$ROOT/examples/runbooks}
RUNBOOK_DRY_RUN=${TOCSIN_RUNBOOK_DRY_RUN:-true}
LIB=$ROOT/local-stack/target/lib
# name:port of every service, in start order; those whose module does not exist yet are skipped.
SERVICES=("alert-ingest:${TOCSIN_INGEST_PORT:-8081}" "escalation:${TOCSIN_ESCALATION_PORT:-8082}"
  "notifier:${TOCSIN_NOTIFIER_PORT:-8083}" "runbook-engine:${TOCSIN_RUNBOOK_PORT:-8084}")
# TOCSIN_SERVICES: the services to start, comma-separated (say "alert-ingest" to measure the door alone); all if unset.
ONLY=${TOCSIN_SERVICES:-}

declare -a PIDS=() NAMES=()
STOPPING=0

say() { printf '[run-local] %s\n' "$*"; }
die() { printf '[run-local] ERROR: %s\n' "$*" >&2; exit 1; }
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
selected() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }

stop_all() {
  [ "$STOPPING" = 1 ] && return
  STOPPING=1
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    if kill -0 "${PIDS[$i]}" 2>/dev/null; then
      say "stopping ${NAMES[$i]} (pid ${PIDS[$i]})"
      kill -TERM "${PIDS[$i]}" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "${PIDS[$i]}" 2>/dev/null || break; sleep 0.2; done
      kill -KILL "${PIDS[$i]}" 2>/dev/null || true
      wait "${PIDS[$i]}" 2>/dev/null || true
    fi
  done
  say "stopped everything it started"
}
trap 'stop_all' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start() { # name logfile command...
  local name=$1 log=$2
  shift 2
  "$@" >"$log" 2>&1 &
  PIDS+=("$!")
  NAMES+=("$name")
}

await_ready() { # name seconds probe...
  local name=$1 seconds=$2 pid=${PIDS[-1]}
  shift 2
  for _ in $(seq 1 $((seconds * 5))); do
    "$@" && return 0
    kill -0 "$pid" 2>/dev/null || exited_while_starting "$name" "$LOGS/$name.log"
    sleep 0.2
  done
  die "$name was not ready within ${seconds}s; its log: $LOGS/$name.log"
}

# Says why a service exited while starting, then stops: every service writes one ERROR line per configuration problem
# ("Configuration problem: TOCSIN_... / file:line: ..."), and SmallRye Config lists the values it could not convert.
exited_while_starting() { # name log
  local name=$1 log=$2 lines
  lines=$(grep -E ' ERROR |^Configuration validation failed|SRCFG[0-9]+' "$log" 2>/dev/null |
    grep -v 'Graceful shutdown failed' | sed -E 's/^[0-9:.,-]+ +ERROR +\[[^]]*\] +\([^)]*\) +//' | head -n 50 || true)
  if [ -n "$lines" ]; then
    printf '[run-local] ERROR: %s exited while starting:\n' "$name" >&2
    printf '%s\n' "$lines" | sed 's/^/[run-local]   /' >&2
  else
    printf '[run-local] ERROR: %s exited while starting; the end of its log:\n' "$name" >&2
    tail -n 20 "$log" 2>/dev/null | sed 's/^/[run-local]   /' >&2 || true
  fi
  die "$name did not start; its log: $log"
}

build_if_needed() {
  # A stamp written after each successful build: jars whose content did not change keep their old times.
  local stamp=$ROOT/target/run-local.stamp stale=0 module jar
  [ -f "$stamp" ] || stale=1
  for module in local-stack "${SERVICES[@]%%:*}"; do
    [ -f "$ROOT/$module/pom.xml" ] || continue
    if [ "$module" = local-stack ]; then jar=$ROOT/local-stack/target/local-stack-0.1.0-SNAPSHOT.jar
    else jar=$ROOT/$module/target/quarkus-app/quarkus-run.jar; fi
    [ -f "$jar" ] || stale=1
  done
  if [ "$stale" = 0 ] && [ -n "$(find "$ROOT" -path "$ROOT/.local" -prune -o -path '*/target' -prune -o \
    \( -path '*/src/*' -o -name pom.xml \) -type f -newer "$stamp" -print -quit 2>/dev/null)" ]; then
    stale=1
  fi
  if [ "$stale" = 1 ]; then
    # Only what runs here (and what it needs), not the system tests and benchmarks.
    local modules=local-stack
    for module in "${SERVICES[@]%%:*}"; do [ -f "$ROOT/$module/pom.xml" ] && modules+=,$module; done
    say "building (first run, or sources changed): ./mvnw package -DskipTests -pl $modules -am"
    (cd "$ROOT" && ./mvnw -B -q package -DskipTests -pl "$modules" -am) || die "the build failed"
    mkdir -p "$ROOT/target" && touch "$stamp"
  fi
}

start_kafka() {
  if [ -n "${TOCSIN_KAFKA_BOOTSTRAP_SERVERS:-}" ]; then
    say "using the Kafka at $TOCSIN_KAFKA_BOOTSTRAP_SERVERS"
    BOOTSTRAP=$TOCSIN_KAFKA_BOOTSTRAP_SERVERS
    return
  fi
  port_open 127.0.0.1 "$KAFKA_PORT" && die "port $KAFKA_PORT is taken: stop what uses it, or set TOCSIN_KAFKA_PORT (or TOCSIN_KAFKA_BOOTSTRAP_SERVERS to use a running broker)"
  port_open 127.0.0.1 "$CONTROLLER_PORT" && die "port $CONTROLLER_PORT is taken: set TOCSIN_KAFKA_CONTROLLER_PORT"
  mkdir -p "$STATE/kafka"
  sed -e "s#@STATE@#$STATE#g" -e "s#@KAFKA_PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$CONTROLLER_PORT#g" \
    "$ROOT/local-stack/kafka/server.properties.template" >"$STATE/kafka/server.properties"
  if [ ! -f "$STATE/kafka/data/meta.properties" ]; then
    local cluster_id
    cluster_id=$("$JAVA" -cp "$LIB/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)
    "$JAVA" -cp "$LIB/*" -Dlog4j2.configurationFile="$ROOT/local-stack/kafka/log4j2.properties" \
      kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$STATE/kafka/server.properties" \
      >"$LOGS/kafka-format.log" 2>&1 || die "formatting Kafka's storage failed; see $LOGS/kafka-format.log"
  fi
  say "starting Kafka (KRaft) on 127.0.0.1:$KAFKA_PORT, data in $STATE/kafka/data"
  start kafka "$LOGS/kafka.log" "$JAVA" -Xms256m -Xmx512m -cp "$LIB/*" \
    -Dlog4j2.configurationFile="$ROOT/local-stack/kafka/log4j2.properties" kafka.Kafka "$STATE/kafka/server.properties"
  await_ready kafka 60 port_open 127.0.0.1 "$KAFKA_PORT"
  BOOTSTRAP=127.0.0.1:$KAFKA_PORT
}

start_postgres() {
  if port_open "$DB_HOST" "$DB_PORT"; then
    say "using the PostgreSQL at $DB_HOST:$DB_PORT (database $DB_NAME)"
    "$JAVA" -cp "$LIB/*:$ROOT/local-stack/target/classes" io.tocsin.localstack.LocalPostgres ensure \
      --host "$DB_HOST" --port "$DB_PORT" --user "$DB_USER" --password "$DB_PASSWORD" --database "$DB_NAME" \
      >"$LOGS/postgres-ensure.log" 2>&1 || die "could not reach database $DB_NAME as $DB_USER; see $LOGS/postgres-ensure.log"
    return
  fi
  [ "$DB_HOST" = 127.0.0.1 ] || [ "$DB_HOST" = localhost ] || die "no PostgreSQL answers at $DB_HOST:$DB_PORT"
  say "no PostgreSQL at $DB_HOST:$DB_PORT: starting an embedded one, data in $STATE/postgres"
  DB_USER=postgres DB_PASSWORD=
  start postgres "$LOGS/postgres.log" "$JAVA" -Xmx128m -cp "$LIB/*:$ROOT/local-stack/target/classes" \
    io.tocsin.localstack.LocalPostgres serve --data "$STATE/postgres" --port "$DB_PORT" --database "$DB_NAME"
  await_ready postgres 60 grep -q 'embedded PostgreSQL ready' "$LOGS/postgres.log"
}

# token CONFIGURED STATE_FILE NAME: the configured name:token list, or one generated once and kept in STATE_FILE.
# Sets TOKENS (the list to pass on), TOKEN_NAME and TOKEN (its first entry).
token() {
  local configured=$1 file=$2
  if [ -n "$configured" ]; then
    TOKENS=$configured
    TOKEN_NAME=${configured%%:*}
    TOKEN=${configured#*:}
    TOKEN=${TOKEN%%,*}
    return
  fi
  [ -s "$file" ] || (umask 077 && od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$file")
  TOKEN_NAME=$3
  TOKEN=$(cat "$file")
  TOKENS=$TOKEN_NAME:$TOKEN
}

# host[:port] of a URL.
url_host() { local rest=${1#*://}; rest=${rest%%[/?#]*}; printf '%s' "${rest##*@}"; }

is_true() { case $(printf '%s' "$1" | tr '[:upper:]' '[:lower:]') in true | 1 | yes | y | on) return 0 ;; esac; return 1; }

# Sets RUNBOOK_ENV: what the runbook engine gets besides what every service gets.
runbook_settings() {
  [ -d "$RUNBOOK_DIR" ] || die "TOCSIN_RUNBOOK_DIR: $RUNBOOK_DIR is not a folder"
  RUNBOOK_DIR=$(cd "$RUNBOOK_DIR" && pwd)
  # The hosts the examples call: the Kubernetes API and Prometheus, at their defaults or where KUBE_API_URL and
  # PROMETHEUS_URL (which the examples read) point.
  local hosts=kubernetes.default.svc,prometheus:9090
  [ -n "${KUBE_API_URL:-}" ] && hosts+=,$(url_host "$KUBE_API_URL")
  [ -n "${PROMETHEUS_URL:-}" ] && hosts+=,$(url_host "$PROMETHEUS_URL")
  [ -n "${TOCSIN_RUNBOOK_PROMETHEUS_URL:-}" ] && hosts+=,$(url_host "$TOCSIN_RUNBOOK_PROMETHEUS_URL")
  RUNBOOK_HOSTS=${TOCSIN_RUNBOOK_HTTP_ALLOWED_HOSTS:-$hosts}
  RUNBOOK_ENV=(TOCSIN_RUNBOOK_DIR="$RUNBOOK_DIR" TOCSIN_RUNBOOK_DRY_RUN="$RUNBOOK_DRY_RUN"
    TOCSIN_RUNBOOK_HTTP_ALLOWED_HOSTS="$RUNBOOK_HOSTS")
}

start_services() {
  local entry name port
  local -a extra
  for entry in "${SERVICES[@]}"; do
    name=${entry%%:*}
    port=${entry##*:}
    [ -f "$ROOT/$name/target/quarkus-app/quarkus-run.jar" ] && selected "$name" || continue
    port_open 127.0.0.1 "$port" && die "port $port (for $name) is taken: stop what uses it, or set its TOCSIN_*_PORT"
    extra=()
    [ "$name" = runbook-engine ] && extra=("${RUNBOOK_ENV[@]}")
    say "starting $name on port $port"
    start "$name" "$LOGS/$name.log" env \
      TOCSIN_KAFKA_BOOTSTRAP_SERVERS="$BOOTSTRAP" TOCSIN_INGEST_TOKENS="$INGEST_TOKENS" TOCSIN_API_TOKENS="$API_TOKENS" \
      TOCSIN_DB_HOST="$DB_HOST" TOCSIN_DB_PORT="$DB_PORT" TOCSIN_DB_USER="$DB_USER" \
      TOCSIN_DB_PASSWORD="$DB_PASSWORD" TOCSIN_DB_NAME="$DB_NAME" QUARKUS_HTTP_PORT="$port" \
      TOCSIN_INCIDENT_URL="${TOCSIN_INCIDENT_URL:-http://127.0.0.1:${SERVICES[1]##*:}/api/v1/incidents/}" \
      ${extra[@]+"${extra[@]}"} "$JAVA" -Xmx256m -jar "$ROOT/$name/target/quarkus-app/quarkus-run.jar"
    await_ready "$name" 90 curl -fs -o /dev/null "http://127.0.0.1:$port/q/health/ready"
  done
}

write_alertmanager_config() {
  cat >"$STATE/alertmanager.yml" <<YAML
# A complete Alertmanager configuration that sends every alert to this Tocsin.
# prometheus-alertmanager --config.file=$STATE/alertmanager.yml
route:
  receiver: tocsin
  group_by: [alertname]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 4h
receivers:
  - name: tocsin
    webhook_configs:
      - url: $INGEST_URL/api/v1/alerts/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: $TOKEN
YAML
}

print_welcome() {
  cat <<INFO

  Tocsin is running. Stop it with Ctrl-C.

  Webhook URL   $INGEST_URL/api/v1/alerts/alertmanager
  Token         $TOKEN   (source name: $TOKEN_NAME)
  Kafka         $BOOTSTRAP   (alerts on topic tocsin.alerts.v1)
  PostgreSQL    $DB_HOST:$DB_PORT/$DB_NAME
  Logs          $LOGS/
  Metrics       $INGEST_URL/q/metrics      Health  $INGEST_URL/q/health/ready

  Receiver for alertmanager.yml (a complete file is in $STATE/alertmanager.yml):

    receivers:
      - name: tocsin
        webhook_configs:
          - url: $INGEST_URL/api/v1/alerts/alertmanager
            send_resolved: true
            http_config:
              authorization:
                type: Bearer
                credentials: $TOKEN

  Fire a sample alert:

    curl -i -H 'Authorization: Bearer $TOKEN' -H 'Content-Type: application/json' \\
      $INGEST_URL/api/v1/alerts -d '{"labels":{"alertname":"TocsinSmokeTest","severity":"warning"},"annotations":{"summary":"hello from curl"}}'

  See the incidents it opened (API token: $API_TOKEN, kept in $STATE/api-token):

    curl -H 'Authorization: Bearer $API_TOKEN' http://127.0.0.1:${SERVICES[1]##*:}/api/v1/incidents

  Notifications: $(notification_summary)
  Slack's interactivity Request URL: http://<this host>:${SERVICES[2]##*:}/slack/interactions
INFO
  [ -f "$ROOT/runbook-engine/target/quarkus-app/quarkus-run.jar" ] && selected runbook-engine && runbook_summary
  echo
}

runbook_summary() {
  local api=http://127.0.0.1:${SERVICES[3]##*:}/api/v1 count
  count=$(find "$RUNBOOK_DIR" -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' \) | wc -l | tr -d ' ')
  cat <<INFO

  Runbooks: $count files from $RUNBOOK_DIR; HTTP calls allowed to $RUNBOOK_HOSTS
INFO
  if is_true "$RUNBOOK_DRY_RUN"; then
    cat <<INFO
  They run in dry-run mode: every run only records what it would do, and needs no secrets.
  To run them for real: TOCSIN_RUNBOOK_DRY_RUN=false, each TOCSIN_RUNBOOK_SECRET_<NAME> they use, and no
  "dry_run: true" in the runbooks you trust (the examples have it): docs/runbooks.md, "Enabling".
INFO
  else
    echo "  Dry-run mode is off (TOCSIN_RUNBOOK_DRY_RUN=$RUNBOOK_DRY_RUN): runbooks without \"dry_run: true\" make their calls."
  fi
  [ "$RUNBOOK_DIR" = "$ROOT/examples/runbooks" ] && cat <<INFO

  Fire an alert that starts k8s-rollout-restart:

    curl -i -H 'Authorization: Bearer $TOKEN' -H 'Content-Type: application/json' \\
      $INGEST_URL/api/v1/alerts -d '{"labels":{"alertname":"KubePodCrashLooping","namespace":"shop","deployment":"checkout","severity":"critical"}}'
INFO
  cat <<INFO

  The runbooks loaded, then the runs of an incident (its id from the incident list above):

    curl -H 'Authorization: Bearer $API_TOKEN' $api/runbooks
    curl -H 'Authorization: Bearer $API_TOKEN' '$api/runbook-runs?incident=<incident id>'
INFO
}

notification_summary() {
  local configured=()
  [ -n "${TOCSIN_SLACK_BOT_TOKEN:-}" ] && configured+=("Slack")
  [ -n "${TOCSIN_PAGERDUTY_ROUTING_KEY:-}" ] && configured+=("PagerDuty")
  [ -n "${TOCSIN_SMTP_HOST:-}" ] && configured+=("e-mail")
  if [ ${#configured[@]} = 0 ]; then
    printf 'no channel configured: they go to %s and the timeline says "not sent"\n' "$LOGS/notifier.log"
    printf '                 (set TOCSIN_SLACK_BOT_TOKEN, TOCSIN_SLACK_SIGNING_SECRET, TOCSIN_PAGERDUTY_ROUTING_KEY: docs/notifications.md)'
  else
    printf 'sent to %s; the rest go to the log (docs/notifications.md)' "${configured[*]}"
  fi
}

mkdir -p "$STATE" "$LOGS"
command -v curl >/dev/null || die "curl is needed to check the services are ready"
build_if_needed
token "${TOCSIN_API_TOKENS:-}" "$STATE/api-token" oncall
API_TOKENS=$TOKENS API_TOKEN=$TOKEN
token "${TOCSIN_INGEST_TOKENS:-}" "$STATE/ingest-token" alertmanager
INGEST_TOKENS=$TOKENS
runbook_settings
start_postgres
start_kafka
start_services
INGEST_URL=http://127.0.0.1:${SERVICES[0]##*:}
write_alertmanager_config
print_welcome
say "ready"

# Stay in the foreground; if anything we started dies, stop the rest and say which.
while :; do
  wait -n "${PIDS[@]}" || true
  for i in "${!PIDS[@]}"; do
    if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
      die "${NAMES[$i]} stopped unexpectedly; its log: $LOGS/${NAMES[$i]}.log"
    fi
  done
done
