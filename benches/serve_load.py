#!/usr/bin/env python3
"""Load test of `yusuan serve` on loopback: CONNECTIONS clients, each on its own connection,
each running QUERIES report queries (the questions of sql/reports/, the year bound as a
server-side parameter), while the server's resident memory is sampled every 200 ms.

    serve_load.py --port PORT --user USER --password PASSWORD --pid SERVER_PID \
                  [--connections 32] [--queries 200] [--year 2021]

Prints the throughput, latency percentiles, failures and the server's memory (first,
peak and last sample, and the peak of each quarter of the run, so a steady climb shows).
Exit status 1 if any query failed.
"""

import argparse
import pathlib
import re
import statistics
import sys
import threading
import time

import psycopg

REPORTS = pathlib.Path(__file__).resolve().parent.parent / "sql" / "reports"


def report_queries(year):
    """(name, sql, params) for each report question, `$year` bound (written in where the
    question also computes with it), `$level` written in."""
    queries = []
    for path in sorted(REPORTS.glob("*.sql")):
        text = "\n".join(
            line for line in path.read_text().splitlines() if not line.lstrip().startswith("--")
        ).strip().rstrip(";")
        levels = ["1", "2"] if "$level" in text else [None]
        for level in levels:
            sql = text.replace("%", "%%")
            if level:
                sql = sql.replace("$level", level)
            params = {}
            if "$year -" in sql or "$year-" in sql:
                # DataFusion infers one type per parameter: `fiscal_year = $year` (INT) and
                # `$year - 1` (BIGINT) conflict, so a question using both gets the literal.
                sql = sql.replace("$year", str(int(year)))
            if "$year" in sql:
                sql = sql.replace("$year", "%(year)s")
                params["year"] = year
            name = path.stem + (f"@{level}" if level else "")
            queries.append((name, sql, params))
    return queries


def rss_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--year", type=int, default=2021)
    args = ap.parse_args()

    queries = report_queries(args.year)
    latencies = []
    failures = []
    rows = {}
    lock = threading.Lock()
    samples = []
    done = threading.Event()

    def sampler():
        while not done.is_set():
            r = rss_kib(args.pid)
            if r is not None:
                samples.append((time.monotonic(), r))
            time.sleep(0.2)

    def client(i):
        try:
            conn = psycopg.connect(
                host=args.host, port=args.port, user=args.user, password=args.password,
                dbname="yusuan", sslmode="disable", autocommit=True,
            )
        except Exception as e:  # noqa: BLE001
            with lock:
                failures.append(("connect", repr(e)))
            return
        with conn:
            for n in range(args.queries):
                name, sql, params = queries[(i + n) % len(queries)]
                start = time.monotonic()
                try:
                    with conn.cursor() as cur:
                        cur.execute(sql, params)
                        got = len(cur.fetchall())
                    elapsed = time.monotonic() - start
                    with lock:
                        latencies.append(elapsed)
                        rows.setdefault(name, set()).add(got)
                except Exception as e:  # noqa: BLE001
                    with lock:
                        failures.append((name, repr(e)))

    idle = rss_kib(args.pid)
    t = threading.Thread(target=sampler, daemon=True)
    t.start()
    start = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.connections)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = time.monotonic() - start
    done.set()
    t.join()
    after = rss_kib(args.pid)

    total = args.connections * args.queries
    print(f"queries: {len(latencies)} ok, {len(failures)} failed of {total} "
          f"({args.connections} connections x {args.queries}; {len(queries)} report questions)")
    print(f"wall: {wall:.1f} s, throughput: {len(latencies) / wall:.1f} queries/s")
    if latencies:
        q = statistics.quantiles(latencies, n=100, method="inclusive")
        print(f"latency ms: p50 {q[49] * 1000:.0f}, p90 {q[89] * 1000:.0f}, "
              f"p99 {q[98] * 1000:.0f}, max {max(latencies) * 1000:.0f}")
    for name in sorted(rows):
        print(f"  {name}: rows {sorted(rows[name])}")
    if samples:
        mib = lambda k: k / 1024  # noqa: E731
        quarter = max(1, len(samples) // 4)
        peaks = [max(r for _, r in samples[i:i + quarter]) for i in range(0, len(samples), quarter)]
        print(f"server RSS MiB: idle {mib(idle or 0):.0f}, first {mib(samples[0][1]):.0f}, "
              f"peak {mib(max(r for _, r in samples)):.0f}, last {mib(samples[-1][1]):.0f}, "
              f"after {mib(after or 0):.0f}; peak by quarter "
              + ", ".join(f"{mib(p):.0f}" for p in peaks[:4]))
    for name, e in failures[:10]:
        print(f"FAILED {name}: {e}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
