#!/usr/bin/env python3
"""Held connections against `cobuy serve` (issue 13, item 1), before/after figures for RESULTS.md.

  bench/slow_clients.py BUILD_DIR [--held 200] [--hold-seconds 20] [--threads 8]

Trains a quick model on the bundled Online Retail data, starts BUILD_DIR/cobuy serve with
--threads (default 8, the default pool on 2 cores), opens --held connections that each send half
a request line and then say nothing, and for --hold-seconds times, on fresh connections one after
another, GET /healthz and GET /v1/items/ID/bought-together (each with a 10 s timeout). Prints the
requests made, how many answered 200, how many within 100 ms, and the median and slowest time.
Run it on two builds (the old server and the new) to compare them on the same machine.
"""
import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed_get(port, path):
    start = time.monotonic()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path)
        status = conn.getresponse().status
        conn.close()
    except (OSError, http.client.HTTPException):
        status = -1
    return status, (time.monotonic() - start) * 1000.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("build")
    ap.add_argument("--held", type=int, default=200)
    ap.add_argument("--hold-seconds", type=float, default=20)
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()
    cobuy = os.path.join(os.path.abspath(args.build), "cobuy")
    work = tempfile.mkdtemp(prefix="cobuy-slow-")
    config = os.path.join(work, "config.json")
    with open(config, "w") as f:
        f.write('{"blend": {"ease": 0}}')
    subprocess.run([cobuy, "--log-level", "warn", "train", "--orders",
                    os.path.join(ROOT, "datasets", "online_retail.csv.gz"), "--format", "online-retail",
                    "--config", config, "--out", os.path.join(work, "model")], check=True,
                   stdout=subprocess.DEVNULL)
    log = open(os.path.join(work, "serve.log"), "w+")
    server = subprocess.Popen([cobuy, "--log-level", "info", "serve", "--model", os.path.join(work, "model"),
                               "--host", "127.0.0.1", "--port", "0", "--threads", str(args.threads)],
                              stdout=subprocess.DEVNULL, stderr=log)
    try:
        port = None
        for _ in range(300):
            log.seek(0)
            m = re.search(r"http://127\.0\.0\.1:(\d+)", log.read())
            if m and timed_get(int(m.group(1)), "/readyz")[0] == 200:
                port = int(m.group(1))
                break
            time.sleep(0.1)
        if port is None:
            sys.exit("slow_clients: cobuy serve did not become ready")
        held = []
        for _ in range(args.held):
            s = socket.create_connection(("127.0.0.1", port))
            s.sendall(b"GET /v1/items/22697/bought-tog")
            held.append(s)
        times, statuses = [], []
        end = time.monotonic() + args.hold_seconds
        while time.monotonic() < end:
            for path in ("/healthz", "/v1/items/22697/bought-together?limit=5"):
                status, ms = timed_get(port, path)
                statuses.append(status)
                times.append(ms)
            time.sleep(0.05)
        for s in held:
            s.close()
        fast = sum(1 for t, s in zip(times, statuses) if s == 200 and t < 100)
        print(f"{cobuy}: {args.held} held half-requests, --threads {args.threads}, {args.hold_seconds:g} s")
        print(f"  requests {len(times)}, answered 200: {statuses.count(200)}, within 100 ms: {fast}, "
              f"median {statistics.median(times):.1f} ms, slowest {max(times):.1f} ms")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
