#!/usr/bin/env python3
"""yusuan vs DuckDB on the same Parquet lake: the report questions budget analysts ask.

Usage: benches/compare_duckdb.py --yusuan target/release/yusuan --lake DIR [--runs 5]
       (benches/compare_duckdb.sh builds yusuan, generates the lake and calls this.)

For every question it runs the yusuan SQL through `yusuan sql -c … --format csv` and the
DuckDB SQL (the same text with `substr` where yusuan uses `func_rollup` / `econ_rollup`)
over `read_parquet('LAKE/<table>/*/*.parquet', hive_partitioning = true)` with the views of
sql/views/ created verbatim, checks that both give the same rows (decimals compared
exactly), and prints each question's median time and the ratio yusuan / DuckDB.

Timing: DuckDB runs in this process on an open connection (no start-up counted): the median
of RUNS executions. yusuan runs `yusuan sql` processes: the query once, and 1 + RUNS times
in one script; (T(1 + RUNS) - T(1)) / RUNS is the query time without the process start-up,
and the figure is the median of three such measurements. Start-up (`SELECT 1`) is printed
separately.
"""

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal, InvalidOperation

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (name, yusuan SQL, DuckDB SQL or None for "the same", ordered?)
QUESTIONS = [
    (
        "by 类 and year (expenditure)",
        "SELECT fiscal_year, func_rollup(func_code, 1) AS lei, sum(total) AS total, sum(basic) AS basic, sum(project) AS project "
        "FROM expenditure GROUP BY 1, 2 ORDER BY 1, 2",
        "SELECT fiscal_year, substr(func_code, 1, 3) AS lei, sum(total) AS total, sum(basic) AS basic, sum(project) AS project "
        "FROM expenditure GROUP BY 1, 2 ORDER BY 1, 2",
        True,
    ),
    (
        "by 款, one year",
        "SELECT func_rollup(func_code, 2) AS kuan, sum(total) AS total FROM expenditure "
        "WHERE fiscal_year = 2021 GROUP BY 1 ORDER BY 1",
        "SELECT substr(func_code, 1, 5) AS kuan, sum(total) AS total FROM expenditure "
        "WHERE fiscal_year = 2021 GROUP BY 1 ORDER BY 1",
        True,
    ),
    (
        "one region, by department, one year",
        "SELECT org_name, sum(total) AS total, sum(project) AS project FROM expenditure "
        "WHERE region = '{region}' AND fiscal_year = 2022 GROUP BY 1 ORDER BY 1",
        None,
        True,
    ),
    (
        "one department, by 项 and year",
        "SELECT fiscal_year, func_code, sum(total) AS total FROM expenditure "
        "WHERE org_name = '{org}' GROUP BY 1, 2 ORDER BY 1, 2",
        None,
        True,
    ),
    (
        "basic by 经济分类 类 and year",
        "SELECT fiscal_year, econ_rollup(econ_code, 1) AS lei, sum(total) AS total, sum(personnel) AS personnel, "
        "sum(public_use) AS public_use FROM basic_by_econ GROUP BY 1, 2 ORDER BY 1, 2",
        "SELECT fiscal_year, substr(econ_code, 1, 3) AS lei, sum(total) AS total, sum(personnel) AS personnel, "
        "sum(public_use) AS public_use FROM basic_by_econ GROUP BY 1, 2 ORDER BY 1, 2",
        True,
    ),
    (
        "year over year by 类 (join)",
        "WITH cur AS (SELECT org_name, func_rollup(func_code, 1) AS lei, sum(total) AS t FROM expenditure "
        "WHERE fiscal_year = 2023 GROUP BY 1, 2), "
        "prev AS (SELECT org_name, func_rollup(func_code, 1) AS lei, sum(total) AS t FROM expenditure "
        "WHERE fiscal_year = 2022 GROUP BY 1, 2) "
        "SELECT cur.lei, sum(cur.t) AS y2023, sum(prev.t) AS y2022, sum(cur.t - prev.t) AS change "
        "FROM cur JOIN prev ON cur.org_name = prev.org_name AND cur.lei = prev.lei GROUP BY 1 ORDER BY 1",
        "WITH cur AS (SELECT org_name, substr(func_code, 1, 3) AS lei, sum(total) AS t FROM expenditure "
        "WHERE fiscal_year = 2023 GROUP BY 1, 2), "
        "prev AS (SELECT org_name, substr(func_code, 1, 3) AS lei, sum(total) AS t FROM expenditure "
        "WHERE fiscal_year = 2022 GROUP BY 1, 2) "
        "SELECT cur.lei, sum(cur.t) AS y2023, sum(prev.t) AS y2022, sum(cur.t - prev.t) AS change "
        "FROM cur JOIN prev ON cur.org_name = prev.org_name AND cur.lei = prev.lei GROUP BY 1 ORDER BY 1",
        True,
    ),
    (
        "top 10 departments, one year",
        "SELECT org_name, sum(total) AS total FROM expenditure WHERE fiscal_year = 2024 "
        "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10",
        None,
        True,
    ),
    (
        "三公 by region and year (join documents)",
        "SELECT fiscal_year, region, sum(budget) AS budget, sum(prior_budget) AS prior FROM three_public "
        "GROUP BY 1, 2 ORDER BY 1, 2",
        None,
        True,
    ),
    (
        "whole lake: rows and sum of leaves",
        "SELECT count(*) AS n, sum(amount) AS amount FROM facts WHERE NOT is_total",
        None,
        True,
    ),
]


def norm(value):
    v = value.strip()
    if v == "" or v.upper() == "NULL":
        return None
    try:
        return Decimal(v.replace(",", "")).normalize()
    except InvalidOperation:
        return v


def norm_rows(rows):
    return [tuple(norm("" if c is None else str(c)) for c in r) for r in rows]


PRELUDE = ""


def yusuan_run(binary, lake, sql, env, copies=1):
    """Runs `sql` `copies` times in one `yusuan sql` process; returns (seconds, rows)."""
    if PRELUDE:
        sql = PRELUDE.rstrip().rstrip(";") + ";\n" + sql
    script = ";\n".join([sql] * copies) + ";\n"
    started = time.perf_counter()
    proc = subprocess.run(
        [binary, "--lake", lake, "sql", "--format", "csv", "-c", script],
        capture_output=True,
        text=True,
        env=env,
    )
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"yusuan failed on {sql!r}: {proc.stderr.strip()}")
    if copies != 1:
        return elapsed, []
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    return elapsed, rows[1:] if rows else []


def yusuan_query_time(binary, lake, sql, env, runs):
    """Query time without start-up: (T(1 + runs copies) - T(1 copy)) / runs, the median of
    three such measurements."""
    samples = []
    for _ in range(3):
        one, _ = yusuan_run(binary, lake, sql, env, 1)
        many, _ = yusuan_run(binary, lake, sql, env, 1 + runs)
        samples.append(max(many - one, 0.0) / runs)
    return statistics.median(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--yusuan", default=os.path.join(ROOT, "target/release/yusuan"))
    ap.add_argument("--lake", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=0, help="DuckDB threads (0 = its default)")
    ap.add_argument("--memory-limit", default=None, help="also pass --memory-limit to yusuan")
    ap.add_argument("--prelude", default="", help="statements run before each yusuan query (SET …)")
    args = ap.parse_args()
    global PRELUDE
    PRELUDE = args.prelude

    import duckdb

    lake = os.path.abspath(args.lake)
    con = duckdb.connect()
    if args.threads:
        con.execute(f"SET threads = {args.threads}")
    con.execute("CREATE SCHEMA lake")
    for table in ["facts", "documents", "narrative", "targets", "findings"]:
        files = os.path.join(lake, table, "*", "*.parquet")
        has = any(
            f.endswith(".parquet")
            for d in os.listdir(os.path.join(lake, table))
            if os.path.isdir(os.path.join(lake, table, d))
            for f in os.listdir(os.path.join(lake, table, d))
        )
        if has:
            con.execute(
                f"CREATE VIEW lake.{table} AS SELECT * FROM read_parquet('{files}', hive_partitioning = true)"
            )
    views_dir = os.path.join(ROOT, "sql", "views")
    for name in sorted(os.listdir(views_dir)):
        text = open(os.path.join(views_dir, name), encoding="utf-8").read()
        # Drop comments first: they may contain ';'.
        text = "\n".join(l.split("--", 1)[0] for l in text.splitlines())
        for stmt in text.split(";"):
            body = stmt.strip()
            if not body:
                continue
            try:
                con.execute(body)
            except duckdb.Error as e:  # a view over a table this lake does not have
                print(f"(duckdb: skipped a view of {name}: {str(e).splitlines()[0]})", file=sys.stderr)

    region = con.execute("SELECT min(region) FROM lake.facts").fetchone()[0]
    org = con.execute(
        "SELECT org_name FROM lake.facts GROUP BY 1 ORDER BY sum(amount) DESC, 1 LIMIT 1"
    ).fetchone()[0]
    n_facts = con.execute("SELECT count(*) FROM lake.facts").fetchone()[0]
    n_files = sum(
        len([f for f in files if f.endswith(".parquet")]) for _, _, files in os.walk(os.path.join(lake, "facts"))
    )

    env = dict(os.environ)
    env.pop("YUSUAN_MEMORY_LIMIT", None)
    if args.memory_limit:
        env["YUSUAN_MEMORY_LIMIT"] = args.memory_limit
    startup = statistics.median(
        yusuan_run(args.yusuan, lake, "SELECT 1", env)[0] for _ in range(max(args.runs, 3))
    )
    print(f"lake: {lake}: {n_facts:,} facts in {n_files} facts files")
    print(f"yusuan start-up to first result (SELECT 1, median of {max(args.runs, 3)}): {startup * 1000:.0f} ms (not in the figures below)")
    print()
    print("| question | yusuan ms | DuckDB ms | ratio | equal |")
    print("|---|---:|---:|---:|:---:|")
    all_equal = True
    ratios = []
    for name, ysql, dsql, _ordered in QUESTIONS:
        ysql = ysql.format(region=region, org=org)
        dsql = (dsql or ysql).format(region=region, org=org)
        # Warm both (file cache, DuckDB metadata), then time.
        _, yrows = yusuan_run(args.yusuan, lake, ysql, env)
        drows = con.execute(dsql).fetchall()
        ym = yusuan_query_time(args.yusuan, lake, ysql, env, args.runs)
        dtimes = []
        for _ in range(args.runs):
            started = time.perf_counter()
            con.execute(dsql).fetchall()
            dtimes.append(time.perf_counter() - started)
        equal = norm_rows(yrows) == norm_rows(drows)
        all_equal &= equal
        if not equal:
            print(f"  DIFFERENT ANSWERS for {name}:", file=sys.stderr)
            print(f"    yusuan ({len(yrows)} rows): {norm_rows(yrows)[:3]}", file=sys.stderr)
            print(f"    duckdb ({len(drows)} rows): {norm_rows(drows)[:3]}", file=sys.stderr)
        dm = statistics.median(dtimes)
        ratio = ym / dm if dm > 0 else float("inf")
        ratios.append(ratio)
        print(f"| {name} | {ym * 1000:.0f} | {dm * 1000:.0f} | {ratio:.2f} | {'yes' if equal else 'NO'} |")
    print()
    print(f"geometric mean ratio: {statistics.geometric_mean([max(r, 1e-3) for r in ratios]):.2f}; "
          f"all answers equal: {'yes' if all_equal else 'NO'}")
    return 0 if all_equal else 1


if __name__ == "__main__":
    sys.exit(main())
