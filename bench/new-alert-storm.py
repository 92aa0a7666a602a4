#!/usr/bin/env python3
"""A storm of new alerts, as a whole fleet failing at once causes it, with P0 probes sent during it.

30 000 new alerts in 300 groups (100 alerts a group, P3: severity warning) through alert-ingest's Alertmanager door,
as fast as 32 senders can; while escalation works through them, one new P0 group every 1.1 s (BENCH_PROBES, 20;
BENCH_PROBE_INTERVAL): how long until its incident opens and until its first Slack and PagerDuty calls arrive at the
fakes served here. The probes share one Slack channel, which takes a message a second: probes closer together than
that measure the channel's pace (the runs before 2026-12-04 04:00 sent them 0.5 s apart).
Then the same 300 notifications re-sent BENCH_RESENDS (3) times: 90 000 repeats of known occurrences.

Reports new alerts/s and repeats/s applied by escalation (first request sent -> last alert on record), the probes'
p50/p99, the Slack messages posted for the storm's incidents (roots, digest posts and rewrites), and each service's
peak resident memory (VmHWM). Run by bench/new-alert-storm.sh; arguments: ingest URL, ingest token, database, port of
the fake Slack and PagerDuty.
"""
import concurrent.futures
import http.server
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

INGEST, TOKEN, DATABASE, FAKE_PORT = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
GROUPS, ALERTS_PER_GROUP = 300, 100
PROBES = int(os.environ.get("BENCH_PROBES", "20"))
RESENDS = int(os.environ.get("BENCH_RESENDS", "3"))
PROBE_INTERVAL = float(os.environ.get("BENCH_PROBE_INTERVAL", "1.1"))
RUN = str(int(time.time()))
STORM, PROBE = f"NewStorm{RUN}_", f"StormProbe{RUN}_"
lock = threading.Lock()
slack_first, pagerduty_first = {}, {}
slack_calls = {"roots": 0, "digest_posts": 0, "updates": 0, "replies": 0}


class Fakes(http.server.BaseHTTPRequestHandler):
    """Slack's Web API and PagerDuty's Events API v2, answering at once."""

    def do_POST(self):
        now = time.time()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if self.path.endswith("/v2/enqueue"):
            summary = json.loads(body).get("payload", {}).get("summary", "")
            with lock:
                for part in summary.split():
                    if part.startswith(PROBE):
                        pagerduty_first.setdefault(part[len(PROBE):].strip("*:,"), now)
            answer = {"status": "success", "message": "Event processed", "dedup_key": "k"}
            self.reply(202, answer)
            return
        form = urllib.parse.parse_qs(body)
        text = form.get("text", [""])[0].replace("\u200b", "")
        with lock:
            if self.path.endswith("/chat.postMessage"):
                if "thread_ts" in form:
                    slack_calls["replies"] += 1
                elif PROBE in text:
                    marker = text.split(PROBE, 1)[1].split()[0].strip("*:,")
                    slack_first.setdefault(marker, now)
                elif "new incidents" in text:
                    slack_calls["digest_posts"] += 1
                elif STORM in text:
                    slack_calls["roots"] += 1
            elif self.path.endswith("/chat.update") and (STORM in text or "new incidents" in text):
                slack_calls["updates"] += 1
        self.reply(200, {"ok": True, "channel": "C0BENCH", "ts": "%.6f" % now})

    def reply(self, status, answer):
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def webhook(alertname, instances, severity, service, extra=None):
    labels = lambda i: {"alertname": alertname, "instance": f"host-{i}", "service": service, "severity": severity,
                        **(extra or {})}
    alerts = [{"status": "firing", "labels": labels(i), "annotations": {"summary": f"{alertname} on host-{i}"},
               "startsAt": "2026-12-03T03:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
               "generatorURL": "http://prometheus:9090/graph"} for i in range(instances)]
    return json.dumps({"version": "4", "groupKey": f'{{}}:{{alertname="{alertname}"}}', "status": "firing",
                       "receiver": "tocsin", "groupLabels": {"alertname": alertname}, "commonLabels": {},
                       "commonAnnotations": {}, "externalURL": "http://am:9093", "truncatedAlerts": 0,
                       "alerts": alerts}).encode()


def post(body):
    request = urllib.request.Request(INGEST + "/api/v1/alerts/alertmanager", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + TOKEN})
    for _ in range(20):
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                if response.status == 202:
                    return
        except Exception:
            time.sleep(0.5)
    raise SystemExit("alert-ingest kept refusing")


def sql(query):
    return subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", DATABASE, "-tAc", query],
                          capture_output=True, text=True, check=True).stdout.strip()


def storm_alerts():
    return int(sql(f"SELECT count(*) FROM alert WHERE labels->>'alertname' LIKE '{STORM}%'"))


def storm_deliveries():
    return int(sql(f"SELECT coalesce(sum(deliveries), 0) FROM alert WHERE labels->>'alertname' LIKE '{STORM}%'"))


def await_value(read, target, limit=900):
    start = time.time()
    while True:
        value = read()
        if value >= target or time.time() - start > limit:
            return value, time.time()
        time.sleep(0.2)


SERVICES = ("alert-ingest", "escalation", "notifier", "runbook-engine", "local-stack")


def processes(name_file):
    """(name, contents of /proc/<pid>/<name_file>) of each Tocsin service (by its jar's folder in the command line)
    and of each PostgreSQL process."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().decode(errors="replace")
            with open(f"/proc/{pid}/{name_file}") as f:
                contents = f.read()
        except OSError:
            continue
        name = next((s for s in SERVICES if f"/{s}/target/" in cmdline),
                    "postgres" if cmdline.startswith("postgres") else None)
        if name:
            yield name, contents


def peak_rss_mib():
    """Each Tocsin service's peak resident set (VmHWM)."""
    return {name: round(int(line.split()[1]) / 1024) for name, status in processes("status") if name != "postgres"
            for line in status.splitlines() if line.startswith("VmHWM:")}


def cpu_seconds():
    """CPU time used so far by each Tocsin service and by PostgreSQL's processes (all of them)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for name, stat in processes("stat"):
        fields = stat.rsplit(")", 1)[1].split()
        used[name] = used.get(name, 0) + (int(fields[11]) + int(fields[12])) / ticks
    return used


def percentile(values, p):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p))], 1) if values else None


server = http.server.ThreadingHTTPServer(("127.0.0.1", FAKE_PORT), Fakes)
threading.Thread(target=server.serve_forever, daemon=True).start()

# Warm-up: one group end to end, so the first probe does not pay for class loading.
post(webhook(f"Warm{RUN}", 1, "critical", "probe", {"priority": "P0"}))
time.sleep(5)

bodies = [webhook(f"{STORM}{g}", ALERTS_PER_GROUP, "warning", f"svc-{g % 20}") for g in range(GROUPS)]
probe_sent = {}


def probes():
    for n in range(PROBES):
        probe_sent[str(n)] = time.time()
        post(webhook(f"{PROBE}{n}", 1, "critical", "probe", {"priority": "P0"}))
        time.sleep(PROBE_INTERVAL)


cpu_before = cpu_seconds()
start = time.time()
prober = threading.Thread(target=probes)
with concurrent.futures.ThreadPoolExecutor(32) as pool:
    prober.start()
    list(pool.map(post, bodies))
sent = time.time()
new_total = GROUPS * ALERTS_PER_GROUP
applied_new, new_done = await_value(storm_alerts, new_total)
cpu_after = cpu_seconds()
storm_cpu = {k: round(v - cpu_before.get(k, 0), 1) for k, v in sorted(cpu_after.items())}
prober.join()
time.sleep(10)  # the probes' last pages

opened = dict(line.split("|") for line in sql(
    f"SELECT split_part(substr(group_key, length('alertname={PROBE}') + 1), ',', 1), extract(epoch FROM opened_at) "
    f"FROM incident WHERE group_key LIKE 'alertname={PROBE}%'").splitlines() if line)
to_incident = [(float(opened[n]) - probe_sent[n]) * 1000 for n in probe_sent if n in opened]
to_slack = [(slack_first[n] - probe_sent[n]) * 1000 for n in probe_sent if n in slack_first]
to_pagerduty = [(pagerduty_first[n] - probe_sent[n]) * 1000 for n in probe_sent if n in pagerduty_first]
storm_slack = dict(slack_calls)
if os.environ.get("BENCH_DEBUG"):
    # Where a probe's deliveries spent their time: planned, last attempt started, finished (seconds after its send).
    print(sql("SELECT d.channel, d.action, d.status, d.attempts, round(extract(epoch FROM d.created_at)::numeric, 2), "
              "round(extract(epoch FROM d.attempt_started_at)::numeric, 2), round(extract(epoch FROM d.finished_at)::numeric, 2), "
              "v.title FROM notifier.delivery d JOIN notifier.incident_view v ON v.incident_id = d.incident_id "
              f"WHERE v.title LIKE '%{PROBE}%' ORDER BY d.id"), file=sys.stderr)
    print(json.dumps(probe_sent), file=sys.stderr)

resend_start = time.time()
with concurrent.futures.ThreadPoolExecutor(32) as pool:
    list(pool.map(post, bodies * RESENDS))
repeats_target = new_total * (1 + RESENDS)
applied_repeats, repeats_done = await_value(storm_deliveries, repeats_target)
incidents = int(sql(f"SELECT count(*) FROM incident WHERE group_key LIKE 'alertname={STORM}%'"))

print(json.dumps({
    "groups": GROUPS, "new_alerts": new_total, "applied_new": applied_new, "incidents": incidents,
    "ingest_seconds": round(sent - start, 2), "new_seconds": round(new_done - start, 2),
    "new_per_second": round(applied_new / (new_done - start)),
    "repeats": new_total * RESENDS, "applied_repeats": applied_repeats - applied_new,
    "repeat_seconds": round(repeats_done - resend_start, 2),
    "repeats_per_second": round((applied_repeats - applied_new) / (repeats_done - resend_start)),
    "probes": PROBES, "probe_interval_s": PROBE_INTERVAL, "probes_opened": len(to_incident), "probes_slack": len(to_slack),
    "probes_pagerduty": len(to_pagerduty),
    "incident_p50_ms": percentile(to_incident, 0.5), "incident_p99_ms": percentile(to_incident, 0.99),
    "slack_p50_ms": percentile(to_slack, 0.5), "slack_p99_ms": percentile(to_slack, 0.99),
    "pagerduty_p50_ms": percentile(to_pagerduty, 0.5), "pagerduty_p99_ms": percentile(to_pagerduty, 0.99),
    "slack": storm_slack, "cpu_seconds_new_phase": storm_cpu, "peak_rss_mib": peak_rss_mib()}))
