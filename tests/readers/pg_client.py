#!/usr/bin/env python3
"""Drives `yusuan serve` as PostgreSQL clients do, for the serve tests, and prints what
the client saw, one fact a line, tab-separated.

    pg_client.py psycopg    HOST PORT USER PASSWORD
        value   LABEL   PYTHON_TYPE   STR(VALUE)        typed results (server-side binding)
    pg_client.py sqlalchemy HOST PORT USER PASSWORD
        schema  NAME
        view    NAME
        table   NAME
        column  RELATION  NAME  TYPE  NULLABLE          SQLAlchemy reflection, as Superset does
        pk      RELATION  COLUMNS
        failed  RELATION  STEP  ERROR                   a reflection step the server cannot answer
    pg_client.py cancel     HOST PORT USER PASSWORD
        cancelled  SECONDS  SQLSTATE  MESSAGE           a long query stopped by a cancel request

When psycopg (or SQLAlchemy) is not installed, prints `skipped  MODULE  REASON` and exits 0,
so that the caller can say so loudly.
"""

import sys
import threading
import time


def out(*fields):
    print("\t".join(str(f).replace("\t", " ").replace("\n", " ") for f in fields), flush=True)


def connect(host, port, user, password):
    import psycopg

    return psycopg.connect(
        host=host, port=int(port), user=user, password=password, dbname="yusuan",
        sslmode="disable", autocommit=True,
    )


def typed(conn):
    def show(label, sql, params=None, prepare=None):
        with conn.cursor() as cur:
            cur.execute(sql, params, prepare=prepare)
            row = cur.fetchone()
            names = [d.name for d in cur.description]
            for name, value in zip(names, row):
                out("value", f"{label}.{name}", type(value).__name__, value)

    show(
        "leaf",
        "SELECT func_code, func_name(func_code) AS name, total, basic, project, org_name, fiscal_year "
        "FROM expenditure WHERE func_code = %s",
        ("2080109",),
    )
    # The same statement prepared on the server and run twice with other parameters.
    for code in ("2080505", "2210201"):
        show(f"prepared{code}", "SELECT total, project FROM expenditure WHERE func_code = %s",
             (code,), prepare=True)
    show("sum", "SELECT sum(total) AS total FROM expenditure WHERE fiscal_year = %s", (2021,))
    show("wan", "SELECT to_wan(sum(total)) AS wan FROM expenditure")
    show("fact",
         "SELECT is_total, src_line, unit, amount FROM facts "
         "WHERE statement = 'expenditure_by_func' AND func_code = %s AND measure = %s",
         ("2080109", "total"))
    show("doc", "SELECT ingested_at, live FROM documents LIMIT 1")
    show("date", "SELECT CAST('2021-01-01' AS DATE) AS d")


def reflect(host, port, user, password):
    from sqlalchemy import create_engine, inspect

    url = f"postgresql+psycopg://{user}:{password}@{host}:{port}/yusuan?sslmode=disable"
    engine = create_engine(url)
    insp = inspect(engine)
    for schema in insp.get_schema_names():
        out("schema", schema)
    for view in insp.get_view_names():
        out("view", view)
    for table in insp.get_table_names():
        out("table", table)
    for relation in ("expenditure", "facts"):
        for step, call in (
            ("columns", lambda: [out("column", relation, c["name"], c["type"], c["nullable"])
                                 for c in insp.get_columns(relation)]),
            ("pk", lambda: out("pk", relation, ",".join(
                insp.get_pk_constraint(relation).get("constrained_columns") or []))),
            ("foreign_keys", lambda: insp.get_foreign_keys(relation)),
            ("indexes", lambda: insp.get_indexes(relation)),
        ):
            try:
                call()
            except Exception as e:  # noqa: BLE001
                out("failed", relation, step, str(e).splitlines()[0])
    engine.dispose()


def cancel(host, port, user, password):
    import psycopg

    conn = connect(host, port, user, password)
    timer = threading.Timer(1.0, conn.cancel_safe)
    start = time.monotonic()
    timer.start()
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM generate_series(1, 1000000000000) AS t")
            out("finished", round(time.monotonic() - start, 2), cur.fetchone()[0])
    except psycopg.errors.QueryCanceled as e:
        out("cancelled", round(time.monotonic() - start, 2), e.sqlstate, str(e).strip())
    # The connection is still usable.
    with conn.cursor() as cur:
        cur.execute("SELECT 1 + 1 AS two")
        out("after", cur.fetchone()[0])
    conn.close()


def main():
    mode, host, port, user, password = sys.argv[1:6]
    module = "sqlalchemy" if mode == "sqlalchemy" else "psycopg"
    try:
        __import__(module)
        if module == "sqlalchemy":
            __import__("psycopg")
    except ImportError as e:
        out("skipped", module, e)
        return
    if mode == "psycopg":
        conn = connect(host, port, user, password)
        typed(conn)
        conn.close()
    elif mode == "sqlalchemy":
        reflect(host, port, user, password)
    elif mode == "cancel":
        cancel(host, port, user, password)
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
