"""Writes the request bodies the ingest benchmark sends: one JSON document per line.

The same alerts go to Alertmanager's POST /api/v2/alerts and to Tocsin's generic door (both take a list of
{labels, annotations, startsAt, generatorURL}); the Alertmanager-webhook variant wraps them as a notification.
"""
import json
import sys
from datetime import datetime, timezone

kind, batch, count, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def alert(i):
    return {
        "labels": {"alertname": f"BenchAlert{i % 100}", "instance": f"host-{i}:9100", "job": "node",
                   "severity": ["critical", "warning", "info"][i % 3], "cluster": "bench", "namespace": "default"},
        "annotations": {"summary": f"Benchmark alert {i} is firing", "runbook_url": "https://runbooks.example.com/bench"},
        "startsAt": now,
        "generatorURL": f"http://prometheus:9090/graph?g0.expr=up%7Binstance%3D%22host-{i}%22%7D",
    }


with open(out, "w") as f:
    for r in range(count):
        alerts = [alert(r * batch + j) for j in range(batch)]
        if kind == "webhook":
            for a in alerts:
                a["status"] = "firing"
                a["endsAt"] = "0001-01-01T00:00:00Z"
            group = alerts[0]["labels"]["alertname"]
            body = {"version": "4", "groupKey": f'{{}}:{{alertname="{group}"}}', "truncatedAlerts": 0,
                    "status": "firing", "receiver": "tocsin", "groupLabels": {"alertname": group},
                    "commonLabels": {"job": "node"}, "commonAnnotations": {}, "externalURL": "http://am:9093",
                    "alerts": alerts}
        else:
            body = alerts
        f.write(json.dumps(body, separators=(",", ":")) + "\n")
