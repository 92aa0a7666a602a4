#!/usr/bin/env python3
"""End-to-end notification latency: an accepted Alertmanager webhook to the first Slack call at a fake Slack.

Serves a fake Slack Web API on loopback (the notifier is pointed at it), then sends one new alert group at a time
through alert-ingest and times how long until its chat.postMessage arrives: idle, then again while a background
load of about 1 000 alerts/s (Alertmanager's resends of 10 groups of 100 alerts) runs. Probes are 1.1 s apart
because Tocsin paces Slack to one message per second per channel, and every probe goes to the same channel. The load's
own 10 incidents are posted before its probes start.

Run by bench/notify-latency.sh; arguments: ingest URL, ingest token, fake Slack port. Prints a JSON result.
"""
import http.server
import os
import json
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request

INGEST, TOKEN, SLACK_PORT = sys.argv[1], sys.argv[2], int(sys.argv[3])
PROBES = int(os.environ.get("BENCH_PROBES", "100"))
SPACING = 1.1
LOADS = tuple(int(v) for v in os.environ.get("BENCH_LOADS", "250,1000").split(",") if v)
RUN = str(int(time.time()))
arrivals = {}
load_posts = [0]
arrived = threading.Condition()


class FakeSlack(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        now = time.perf_counter()
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
        if self.path.endswith("/chat.postMessage"):
            text = urllib.parse.parse_qs(body).get("text", [""])[0].replace("\u200b", "")
            marker = text.rsplit("Probe" + RUN + "_", 1)
            if "Load" + RUN in text and "thread_ts" not in body:
                with arrived:
                    load_posts[0] += 1
            if len(marker) == 2:
                with arrived:
                    arrivals.setdefault(marker[1].split()[0].strip("*"), now)
                    arrived.notify_all()
        answer = json.dumps({"ok": True, "channel": "C0BENCH", "ts": "%.6f" % time.time()}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def now():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def webhook(alertname, instances, starts_at=None):
    alerts = [{"status": "firing", "labels": {"alertname": alertname, "instance": f"host-{i}", "service": "bench",
                                              "severity": "warning"},
               "annotations": {"summary": alertname}, "startsAt": starts_at or now(),
               "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus:9090/graph"}
              for i in range(instances)]
    return json.dumps({"version": "4", "groupKey": f'{{}}:{{alertname="{alertname}"}}', "status": "firing",
                       "receiver": "tocsin", "groupLabels": {"alertname": alertname}, "commonLabels": {},
                       "commonAnnotations": {}, "externalURL": "http://am:9093", "truncatedAlerts": 0,
                       "alerts": alerts}).encode()


def post(body):
    request = urllib.request.Request(INGEST + "/api/v1/alerts/alertmanager", data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": "Bearer " + TOKEN})
    with urllib.request.urlopen(request, timeout=15) as response:
        if response.status != 202:
            raise SystemExit(f"alert-ingest answered {response.status}")


class TooSlow(Exception):
    pass


def probe(n, limit=30):
    start = time.perf_counter()
    post(webhook(f"Probe{RUN}_{n}", 1))
    deadline = start + limit
    with arrived:
        while str(n) not in arrivals:
            if not arrived.wait(max(0.0, deadline - time.perf_counter())):
                raise TooSlow(f"probe {n} did not reach Slack within {limit} s")
    return (arrivals[str(n)] - start) * 1000


LOAD_GROUPS, LOAD_ALERTS_PER_GROUP = 10, 100


def background(stop, sent, alerts_per_second, phase_name):
    # Alertmanager re-sending the same 10 groups of 100 alerts: after the first round every delivery is a repeat,
    # which escalation must read and count but which opens nothing and notifies nobody.
    starts_at = now()
    bodies = [webhook(f"Load{RUN}_{phase_name}_{g}", LOAD_ALERTS_PER_GROUP, starts_at) for g in range(LOAD_GROUPS)]
    interval, n, next_at = LOAD_ALERTS_PER_GROUP / alerts_per_second, 0, time.perf_counter()
    while not stop.is_set():
        post(bodies[n % len(bodies)])
        n += 1
        sent[0] += LOAD_ALERTS_PER_GROUP
        next_at += interval
        delay = next_at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)


def phase(first):
    latencies = []
    for n in range(first, first + PROBES):
        latencies.append(probe(n))
        time.sleep(max(0.0, SPACING - latencies[-1] / 1000))
    latencies.sort()
    return {"probes": len(latencies), "p50_ms": round(statistics.median(latencies), 1),
            "p99_ms": round(latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))], 1),
            "max_ms": round(latencies[-1], 1)}


server = http.server.ThreadingHTTPServer(("127.0.0.1", SLACK_PORT), FakeSlack)
threading.Thread(target=server.serve_forever, daemon=True).start()
for n in range(5):  # warm-up: first requests load classes and fill caches
    probe(100000 + n)
    time.sleep(SPACING)
idle = phase(0)
results = {"idle": idle, "loaded": []}
for target in LOADS:
    stop, sent = threading.Event(), [0]
    loader = threading.Thread(target=background, args=(stop, sent, target, str(target)), daemon=True)
    load_start = time.perf_counter()
    before = load_posts[0]
    loader.start()
    # The load's own incidents are posted first (paced, one a second in the one channel); probe after them.
    deadline = time.perf_counter() + 60
    while load_posts[0] < before + LOAD_GROUPS and time.perf_counter() < deadline:
        time.sleep(0.5)
    time.sleep(3)
    try:
        loaded = phase(1000 * (LOADS.index(target) + 1))
    except TooSlow as e:
        loaded = {"probes": 0, "p50_ms": None, "p99_ms": None, "max_ms": None, "error": str(e)}
    stop.set()
    loader.join()
    loaded["target_alerts_per_second"] = target
    loaded["achieved_alerts_per_second"] = round(sent[0] / (time.perf_counter() - load_start))
    results["loaded"].append(loaded)
    time.sleep(20)  # let escalation drain the backlog before the next phase
print(json.dumps(results))
