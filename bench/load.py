#!/usr/bin/env python3
"""Open-loop load: requests start on a fixed schedule (RATE a second) whatever
the answers do, and each latency is counted from its scheduled start, so a
slow server cannot hide its queue (no coordinated omission). Prints one JSON
line: requests, errors, achieved rate, p50/p90/p99/max in ms, and the errors'
first few statuses and paths.

Usage: load.py BASE COOKIE RATE SECONDS PATH [PATH...]
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

base, cookie, rate, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
paths = sys.argv[5:]
host = urllib.parse.urlparse(base)
local = threading.local()
lock = threading.Lock()
latencies, errors = [], []


def connection():
    if getattr(local, "conn", None) is None:
        local.conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    return local.conn


def hit(path, due):
    status = 0
    for attempt in range(2):
        try:
            conn = connection()
            conn.request("GET", path, headers={"Cookie": cookie, "Accept-Encoding": "identity"})
            answer = conn.getresponse()
            answer.read()
            status = answer.status
            break
        except (http.client.HTTPException, OSError):
            # A keep-alive connection the server closed: one fresh try.
            local.conn = None
            status = -1
    took = (time.perf_counter() - due) * 1000
    with lock:
        latencies.append(took)
        if status != 200:
            errors.append((status, path))


total = int(rate * seconds)
start = time.perf_counter() + 0.05
with ThreadPoolExecutor(max_workers=64) as pool:
    for i in range(total):
        due = start + i / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        pool.submit(hit, paths[i % len(paths)], due)
elapsed = time.perf_counter() - start
latencies.sort()


def pct(p):
    return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 1)


print(json.dumps({
    "requests": len(latencies),
    "errors": len(errors),
    "rate": round(len(latencies) / elapsed, 1),
    "p50_ms": pct(0.50),
    "p90_ms": pct(0.90),
    "p99_ms": pct(0.99),
    "max_ms": round(latencies[-1], 1),
    "first_errors": errors[:5],
}))
