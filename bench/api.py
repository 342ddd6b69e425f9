#!/usr/bin/env python3
"""The REST API's benchmark: `pybak serve` (release build) over a PostgreSQL catalog of 5,000 runs,
100,000 files and 1,000,000 log lines, every request carrying a real RS256 JWT that the server checks.

For each request it runs
  - wrk (Debian's `wrk`) at saturation: -t2 -c16 for --seconds, requests/s and p50/p99;
  - a fixed-rate, open-loop load generator (this file; wrk2 is not packaged) at --rate requests/s: each
    request is scheduled at start + i/rate and its latency counts from that moment, so a slow answer
    also delays (and is charged to) the requests queued behind it (no coordinated omission).

    python3 bench/api.py --database postgresql://pybak:...@127.0.0.1:5432/pybak   # or PYBAK_TEST_DATABASE_URL

It creates a fresh schema in that database (dropped at the end unless --keep), builds nothing: build first
with `swift build -c release --product pybak` (or give --binary). Prints a Markdown table.
"""
import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "E2E"))
from api_support import AUDIENCE, Issuer, Server, request  # noqa: E402  (a local issuer + token minting)

REQUESTS = [
    ("GET /status (4 policies, today's totals)", "/status"),
    ("GET /logs?policy=p1&limit=100", "/logs?policy=p1&limit=100"),
    ("GET /logs?policy=p1&order=desc&limit=100", "/logs?policy=p1&order=desc&limit=100"),
    ("GET /files?q=file4242&limit=50 (substring, trigram index)", "/files?q=file4242&limit=50"),
    ("GET /healthz (no token, no catalog)", "/healthz"),
]

SEED = """
SET client_min_messages = warning;
INSERT INTO runs (id, policy, trigger, started_at, finished_at, pass_stamp, status, files_compressed, files_duplicate,
                  bytes_in, bytes_out, host)
SELECT g, 'p' || (g % 4 + 1), 'schedule',
       to_char(now() AT TIME ZONE 'UTC' - (5000 - g) * interval '15 minutes', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
       to_char(now() AT TIME ZONE 'UTC' - (5000 - g) * interval '15 minutes' + interval '3 seconds', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
       '20261127T000000Z', 'succeeded', 20, 1, 2000000, 450000, 'bench'
FROM generate_series(1, 5000) AS g;
SELECT setval(pg_get_serial_sequence('runs', 'id'), 5000);
INSERT INTO files (policy, run_id, source_path, size, mtime_ns, sha256, destination_path, stored_size, kind, state,
                   source_device, source_inode, disposition, created_at)
SELECT 'p' || ((g % 5000 + 1) % 4 + 1), g % 5000 + 1, 'dir' || (g % 100) || '/file' || g || '.csv', 100000, 1, md5(g::text) || md5((g + 1)::text),
       'dir' || (g % 100) || '/file' || g || '.csv_20261127T000000Z.gz', 22000, 'stored', 'stored', 1, g, 'removed',
       to_char(now() AT TIME ZONE 'UTC' - (100000 - g) * interval '45 seconds', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
FROM generate_series(1, 100000) AS g;
INSERT INTO logs (time, level, level_rank, run_id, policy, message, metadata)
SELECT to_char(now() AT TIME ZONE 'UTC' - (1000000 - g) * interval '4 seconds', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
       CASE WHEN g % 50 = 0 THEN 'warning' ELSE 'info' END, CASE WHEN g % 50 = 0 THEN 4 ELSE 2 END,
       g % 5000 + 1, 'p' || ((g % 5000 + 1) % 4 + 1), 'file stored', '{"file.path":"dir' || (g % 100) || '/file' || g || '.csv"}'
FROM generate_series(1, 1000000) AS g;
ANALYZE;
"""


def psql(url, sql):
    proc = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql, url], capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        sys.exit(f"psql failed: {proc.stderr}")
    return proc.stdout


def wrk(base, path, token, seconds):
    script = Path("/tmp/pybak-bench-wrk.lua")
    script.write_text(f'wrk.headers["Authorization"] = "Bearer {token}"\n')
    proc = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", str(script), base + path],
                          capture_output=True, text=True, timeout=seconds + 60)
    out = proc.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, to_ms(percentiles["50"]), to_ms(percentiles["99"]), int(errors.group(1)) if errors else 0


def to_ms(text):
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def fixed_rate(port, path, token, rate, seconds, workers=32):
    """Open-loop load at `rate` requests/s; latency measured from each request's scheduled time."""
    total = int(rate * seconds)
    start = time.perf_counter() + 0.2
    latencies, failures = [], []
    lock = threading.Lock()
    counter = iter(range(total))
    headers = {"Authorization": f"Bearer {token}"}

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ok = False
            with lock:
                (latencies if ok else failures).append(time.perf_counter() - due)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return len(latencies) / elapsed, pick(0.50), pick(0.99), len(failures)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=os.environ.get("PYBAK_BENCH_DATABASE_URL") or os.environ.get("PYBAK_TEST_DATABASE_URL"))
    parser.add_argument("--binary", default=str(REPO / ".build" / "release" / "pybak"))
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the seeded schema")
    parser.add_argument("--only", help="run only the requests whose path contains this text (e.g. /files)")
    parser.add_argument("--without-path-index", action="store_true", help="drop migration 6's trigram indexes first (to compare)")
    args = parser.parse_args()
    if not args.database:
        sys.exit("give --database URL (or PYBAK_BENCH_DATABASE_URL / PYBAK_TEST_DATABASE_URL)")
    if not Path(args.binary).exists():
        sys.exit(f"{args.binary} is missing: swift build -c release --product pybak")
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    schema = "bench_" + uuid.uuid4().hex[:8]
    psql(args.database, f"CREATE SCHEMA {schema}")
    url = args.database + ("&" if "?" in args.database else "?") + f"options=-csearch_path%3D{schema}"
    issuer = Issuer()
    server = None
    try:
        subprocess.run([args.binary, "catalog", "migrate", "--database", url], check=True, capture_output=True)
        began = time.time()
        psql(url, SEED)
        if args.without_path_index:
            psql(url, "DROP INDEX files_source_trgm; DROP INDEX files_destination_trgm; ANALYZE files;")
        print(f"seeded 5,000 runs, 100,000 files, 1,000,000 log lines in {time.time() - began:.0f} s (schema {schema})", file=sys.stderr)
        server = Server(args.binary, ["serve", "--database", url, "--oidc-issuer", issuer.url, "--oidc-audience", AUDIENCE,
                                      "--log-level", "warning"])
        token = issuer.token(exp=int(time.time()) + 3600)
        print(f"| request | wrk -c16: req/s | p50 | p99 | fixed {args.rate:.0f} req/s: achieved | p50 | p99 |")
        print("|---|---|---|---|---|---|---|")
        for label, path in [r for r in REQUESTS if not args.only or args.only in r[1]]:
            check = request(server.base, path, token=token)
            assert check.status == 200, (path, check.status, check.body[:300])
            saturated = wrk(server.base, path, token, args.seconds)
            fixed = fixed_rate(server.port, path, token, args.rate, args.seconds)
            if saturated[3] or fixed[3]:
                print(f"warning: {path}: {saturated[3]} wrk and {fixed[3]} fixed-rate failures", file=sys.stderr)
            print(f"| `{label}` | {saturated[0]:,.0f} | {saturated[1]:.1f} ms | {saturated[2]:.1f} ms | "
                  f"{fixed[0]:,.0f} | {fixed[1]:.1f} ms | {fixed[2]:.1f} ms |", flush=True)
    finally:
        if server:
            server.stop()
        issuer.close()
        if not args.keep:
            psql(args.database, f"DROP SCHEMA {schema} CASCADE")


if __name__ == "__main__":
    main()
