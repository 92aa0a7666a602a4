#!/usr/bin/env python3
"""Alert storm through alert-ingest and escalation, as Alertmanager would cause it.

100 groups of 10 alerts; every group's whole notification is re-sent again and again (group_interval resends, the
HA twin), 100 000 alert deliveries in all. Escalation must open exactly one incident per group and count every
delivery. Reports the processing rate and the end-to-end lag (last request answered -> last delivery applied).

Run by bench/alert-storm.sh, which starts the stack; arguments: ingest URL, ingest token, database name.
"""
import concurrent.futures
import json
import subprocess
import sys
import time
import urllib.request

INGEST, TOKEN, DATABASE = sys.argv[1], sys.argv[2], sys.argv[3]
GROUPS, ALERTS_PER_GROUP, DELIVERIES = 100, 10, 100_000
RUN = str(int(time.time()))


def notification(group):
    alerts = [{"status": "firing", "labels": {"alertname": f"Storm{RUN}_{group}", "instance": f"host-{i}",
                                              "service": "storm", "severity": "warning"},
               "annotations": {"summary": f"storm group {group}"}, "startsAt": "2026-11-22T03:00:00Z",
               "endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus:9090/graph"}
              for i in range(ALERTS_PER_GROUP)]
    return json.dumps({"version": "4", "groupKey": f'{{}}:{{alertname="Storm{RUN}_{group}"}}', "status": "firing",
                       "receiver": "tocsin", "groupLabels": {"alertname": f"Storm{RUN}_{group}"},
                       "commonLabels": {}, "commonAnnotations": {}, "externalURL": "http://am:9093",
                       "truncatedAlerts": 0, "alerts": alerts}).encode()


BODIES = [notification(g) for g in range(GROUPS)]


def post(n):
    request = urllib.request.Request(INGEST + "/api/v1/alerts/alertmanager", data=BODIES[n % GROUPS], method="POST",
                                     headers={"Content-Type": "application/json",
                                              "Authorization": "Bearer " + TOKEN})
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


requests = DELIVERIES // ALERTS_PER_GROUP
start = time.time()
with concurrent.futures.ThreadPoolExecutor(32) as pool:
    list(pool.map(post, range(requests)))
sent = time.time()
pattern = f"Storm{RUN}_%"
while True:
    applied = int(sql(f"SELECT coalesce(sum(deliveries), 0) FROM alert WHERE labels->>'alertname' LIKE '{pattern}'"))
    if applied >= DELIVERIES or time.time() - sent > 900:
        break
    time.sleep(0.2)
done = time.time()
incidents = int(sql(f"SELECT count(*) FROM incident WHERE group_key LIKE 'alertname={pattern}'"))
print(json.dumps({"deliveries": DELIVERIES, "requests": requests, "groups": GROUPS, "incidents": incidents,
                  "applied": applied, "ingest_seconds": round(sent - start, 2),
                  "total_seconds": round(done - start, 2),
                  "deliveries_per_second": round(applied / (done - start)),
                  "lag_after_last_request_seconds": round(done - sent, 2)}))
