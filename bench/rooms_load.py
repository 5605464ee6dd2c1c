#!/usr/bin/env python3
"""Load on live negotiation rooms: N rooms at once, each a person (simulated
here) against a detente agent, one action per second per person, over
loopback; reports action latency percentiles and checks that no
acknowledged action is missing from the rooms' event logs.

    bench/rooms_load.py [--rooms 100] [--seconds 60] [--agent boulware] [--burst]

Starts `target/release/detente serve` (or $DETENTE) on a free port with a
fresh rooms database in a temporary folder, and stops it at the end. Only
the standard library is used. Each simulated person sends its own best
outcome (as its seat view gives it) once a second on a keep-alive
connection, and the latency of an action is the time from sending the POST
to reading the whole answer (which is the person's new seat view, after the
agent's reply, the event committed to SQLite with synchronous=FULL).
"""
import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = os.environ.get("DETENTE", str(ROOT / "target/release/detente"))


def request(conn, method, path, token=None, body=None):
    headers = {}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = None
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body)
    conn.request(method, path, body=data, headers=headers)
    res = conn.getresponse()
    text = res.read()
    return res.status, (json.loads(text) if text else None)


def best_outcome(view):
    us = view["you"]["utilities"]
    i = max(range(len(us)), key=lambda k: us[k])
    issues = view["issues"]
    values = [0] * len(issues)
    for k in range(len(issues) - 1, -1, -1):
        n = len(issues[k]["values"])
        values[k] = i % n
        i //= n
    return {iss["name"]: iss["values"][v] for iss, v in zip(issues, values)}


def person(host, port, room, token, seconds, start, out):
    conn = http.client.HTTPConnection(host, port, timeout=30)
    status, view = request(conn, "GET", f"/api/rooms/{room}/seat", token)
    offer = {"type": "offer", "outcome": best_outcome(view)}
    latencies, acknowledged, errors = [], 0, 0
    k = 0
    while True:
        # One action a second, on a schedule (not after the previous one).
        due = start + k
        k += 1
        now = time.monotonic()
        if due > start + seconds:
            break
        if due > now:
            time.sleep(due - now)
        t0 = time.perf_counter()
        status, view = request(conn, "POST", f"/api/rooms/{room}/actions", token, offer)
        latencies.append(time.perf_counter() - t0)
        if status == 200:
            acknowledged += 1
            if view["status"] != "running":
                break
        else:
            errors += 1
    out.append((room, acknowledged, errors, latencies))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rooms", type=int, default=100)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--agent", default="boulware")
    ap.add_argument("--burst", action="store_true", help="every person acts at the same instant each second")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="detente-rooms-load-")
    server = subprocess.Popen(
        [BIN, "serve", "--port", "0", "--rooms", os.path.join(tmp, "rooms.db")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = server.stdout.readline()
        addr = line.split("http://")[1].strip().rstrip("/")
        host, port = addr.rsplit(":", 1)
        port = int(port)
        conn = http.client.HTTPConnection(host, port, timeout=60)
        # Enough rounds that no room ends before the run does.
        status, created = request(conn, "POST", "/api/rooms", body={
            "scenario": "car-sale", "protocol": "alternating",
            "rounds": args.seconds + 10, "count": args.rooms, "seed": 1,
            "seats": [{"party": "buyer", "player": "human"},
                      {"party": "dealer", "player": args.agent}]})
        assert status == 201, created
        fac = created["facilitator_token"]
        out = []
        start = time.monotonic() + 1.0
        # People act once a second each, at phases spread over the second
        # (--burst: all at the same instant, the worst case).
        n = len(created["rooms"])
        threads = [threading.Thread(target=person, args=(host, port, r["room"], r["seats"][0]["token"], args.seconds,
                                                         start + (0 if args.burst else i / n), out))
                   for i, r in enumerate(created["rooms"])]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        lat = sorted(x for _, _, _, ls in out for x in ls)
        acknowledged = sum(a for _, a, _, _ in out)
        errors = sum(e for _, _, e, _ in out)
        lost = 0
        # The first connection sat idle through the run: the server closed it.
        conn = http.client.HTTPConnection(host, port, timeout=60)
        for room, acked, _, _ in out:
            status, ev = request(conn, "GET", f"/api/rooms/{room}/events", fac)
            stored = sum(1 for e in ev["events"] if e["event"]["type"] == "offer")
            lost += max(0, acked - stored)
        q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
        print(f"rooms {args.rooms}, {args.seconds} s, agent {args.agent}{' (burst)' if args.burst else ''}: "
              f"{len(lat)} actions ({len(lat) / args.seconds:.0f}/s), {acknowledged} acknowledged, "
              f"{errors} refused, {lost} acknowledged actions missing from the logs")
        print(f"latency ms: median {statistics.median(lat) * 1000:.1f}, p90 {q(0.90):.1f}, "
              f"p99 {q(0.99):.1f}, max {lat[-1] * 1000:.1f}")
        return 0 if lost == 0 and errors == 0 else 1
    finally:
        server.kill()
        server.wait()
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
