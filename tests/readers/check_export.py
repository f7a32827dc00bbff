#!/usr/bin/env python3
"""Reads a yusuan export with every reader available and prints one JSON summary.

Usage: check_export.py EXPORT_DIR [--readers duckdb,pyarrow,pyspark] [--flat]

For each reader: per table, the row count, the exact sum of every decimal column (as a
decimal string with the column's scale, no floats anywhere), and each column's type as
the reader sees it plus a normalised kind (string, decimal(p,s), int, bool,
timestamp_utc_us, ...). Plus, with pyarrow, what the Parquet footers say (format version,
physical and logical types, compression, key-value metadata keys).

The tables and their files come from the export's own `_dictionary.json`. A reader that
cannot be imported or fails is listed under "skipped" with the reason; the Rust test
prints it loudly. Exit status is 0 unless the export itself cannot be read.

With --flat the same facts come as tab-separated lines (for the Rust test, which has no
JSON parser):
    reader   NAME VERSION
    rows     READER TABLE N
    sum      READER TABLE COLUMN VALUE
    kind     READER TABLE COLUMN KIND
    footer   FILE KEY VALUE                 (format_version, created_by, has_arrow_schema,
                                             kv_key, sorting)
    column   FILE COLUMN PHYSICAL LOGICAL COMPRESSION HAS_COLUMN_INDEX
    skipped  READER REASON (one line)
"""

import json
import os
import sys
import time
import traceback
from decimal import Decimal


def scale_of(kind):
    # kind like "decimal(18,2)"
    if kind.startswith("decimal("):
        return int(kind[len("decimal("):-1].split(",")[1])
    return None


def fmt_decimal(value, scale):
    if value is None:
        return None
    d = Decimal(value) if not isinstance(value, Decimal) else value
    return str(d.quantize(Decimal(1).scaleb(-scale)))


def table_location(export_dir, table):
    """(path to read, partitioned?)"""
    path = os.path.join(export_dir, table["path"])
    return path, bool(table["partition_by"])


# ---------------------------------------------------------------- DuckDB

def duckdb_kind(t):
    t = t.upper()
    if t in ("VARCHAR",):
        return "string"
    if t.startswith("DECIMAL("):
        return "decimal(" + t[len("DECIMAL("):-1].replace(" ", "") + ")"
    if t in ("INTEGER", "BIGINT", "SMALLINT", "TINYINT", "HUGEINT"):
        return "int"
    if t == "BOOLEAN":
        return "bool"
    if t in ("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"):
        return "timestamp_utc_us"
    if t == "BLOB":
        return "binary"
    return "other:" + t


def read_duckdb(export_dir, tables):
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    out = {"version": duckdb.__version__, "tables": {}}
    for table in tables:
        path, partitioned = table_location(export_dir, table)
        if partitioned:
            src = "read_parquet(?, hive_partitioning = true)"
            arg = os.path.join(path, "**", "*.parquet")
        else:
            src = "read_parquet(?)"
            arg = path
        desc = con.execute(f"DESCRIBE SELECT * FROM {src}", [arg]).fetchall()
        types = {row[0]: row[1] for row in desc}
        kinds = {c: duckdb_kind(t) for c, t in types.items()}
        rows = con.execute(f"SELECT count(*) FROM {src}", [arg]).fetchone()[0]
        sums = {}
        for col, kind in kinds.items():
            scale = scale_of(kind)
            if scale is not None:
                value = con.execute(f'SELECT sum("{col}") FROM {src}', [arg]).fetchone()[0]
                sums[col] = fmt_decimal(value, scale)
        out["tables"][table["name"]] = {
            "rows": rows,
            "sums": sums,
            "types": types,
            "kinds": kinds,
        }
    return out


# ---------------------------------------------------------------- pyarrow

def arrow_kind(t):
    import pyarrow as pa

    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_string_view(t):
        return "string_view"
    if pa.types.is_dictionary(t):
        return "dictionary:" + arrow_kind(t.value_type)
    if pa.types.is_decimal(t):
        return f"decimal({t.precision},{t.scale})"
    if pa.types.is_integer(t):
        return "int"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_timestamp(t):
        if t.unit == "us" and t.tz in ("UTC", "+00:00", "Etc/UTC"):
            return "timestamp_utc_us"
        return f"timestamp[{t.unit},{t.tz}]"
    if pa.types.is_binary(t):
        return "binary"
    return "other:" + str(t)


def read_pyarrow(export_dir, tables):
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    out = {"version": pa.__version__, "tables": {}, "parquet": {}}
    for table in tables:
        path, partitioned = table_location(export_dir, table)
        if partitioned:
            data = ds.dataset(path, format="parquet", partitioning="hive").to_table()
        else:
            data = pq.read_table(path)
        types = {f.name: str(f.type) for f in data.schema}
        kinds = {f.name: arrow_kind(f.type) for f in data.schema}
        sums = {}
        for f in data.schema:
            if pa.types.is_decimal(f.type):
                s = pc.sum(data.column(f.name)).as_py()
                sums[f.name] = fmt_decimal(s, f.type.scale)
        out["tables"][table["name"]] = {
            "rows": data.num_rows,
            "sums": sums,
            "types": types,
            "kinds": kinds,
        }
        for file in table["files"]:
            out["parquet"][file["path"]] = footer(os.path.join(export_dir, file["path"]))
    return out


def footer(path):
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    md = pf.metadata
    kv = {k.decode(): v.decode("utf-8", "replace") for k, v in (md.metadata or {}).items()}
    columns = {}
    for i in range(md.num_columns):
        col = pf.schema.column(i)
        chunk = md.row_group(0).column(i) if md.num_row_groups else None
        columns[col.name] = {
            "physical": col.physical_type,
            "logical": str(col.logical_type),
            "converted": col.converted_type,
            "compression": chunk.compression if chunk else None,
            "has_column_index": bool(chunk.has_column_index) if chunk else False,
        }
    sorting = ""
    if md.num_row_groups and md.row_group(0).sorting_columns:
        sorting = ",".join(
            pf.schema.column(c.column_index).name for c in md.row_group(0).sorting_columns
        )
    return {
        "format_version": md.format_version,
        "sorting": sorting,
        "created_by": md.created_by,
        "num_rows": md.num_rows,
        "row_groups": md.num_row_groups,
        "kv_keys": sorted(kv),
        "has_arrow_schema": "ARROW:schema" in kv,
        "yusuan_columns": json.loads(kv["yusuan.columns"]) if "yusuan.columns" in kv else None,
        "columns": columns,
    }


# ---------------------------------------------------------------- Spark

def spark_kind(t):
    name = t.simpleString()
    if name == "string":
        return "string"
    if name.startswith("decimal("):
        return name.replace(" ", "")
    if name in ("int", "bigint", "smallint", "tinyint"):
        return "int"
    if name == "boolean":
        return "bool"
    if name == "timestamp":
        # Spark's TimestampType is an instant (microseconds, shown in the session zone).
        return "timestamp_utc_us"
    if name == "binary":
        return "binary"
    return "other:" + name


def read_pyspark(export_dir, tables):
    import pyspark
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F

    spark = (
        SparkSession.builder.master("local[1]")
        .appName("yusuan-check-export")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    out = {"version": pyspark.__version__, "tables": {}}
    try:
        for table in tables:
            path, _ = table_location(export_dir, table)
            df = spark.read.parquet(path)
            types = {f.name: f.dataType.simpleString() for f in df.schema.fields}
            kinds = {f.name: spark_kind(f.dataType) for f in df.schema.fields}
            decimals = [c for c, k in kinds.items() if scale_of(k) is not None]
            aggs = [F.count(F.lit(1)).alias("__rows")] + [
                F.sum(F.col(c)).alias(c) for c in decimals
            ]
            row = df.agg(*aggs).collect()[0]
            sums = {c: fmt_decimal(row[c], scale_of(kinds[c])) for c in decimals}
            out["tables"][table["name"]] = {
                "rows": row["__rows"],
                "sums": sums,
                "types": types,
                "kinds": kinds,
            }
    finally:
        spark.stop()
    return out


READERS = {"duckdb": read_duckdb, "pyarrow": read_pyarrow, "pyspark": read_pyspark}


def flat_lines(result):
    def clean(v):
        return str(v).replace("\t", " ").replace("\n", " ")

    lines = []
    for name, data in result["readers"].items():
        lines.append(["reader", name, data.get("version", "")])
        for table, t in data["tables"].items():
            lines.append(["rows", name, table, t["rows"]])
            for col, value in t["sums"].items():
                lines.append(["sum", name, table, col, "NULL" if value is None else value])
            for col, kind in t["kinds"].items():
                lines.append(["kind", name, table, col, kind])
        for file, f in data.get("parquet", {}).items():
            lines.append(["footer", file, "format_version", f["format_version"]])
            lines.append(["footer", file, "created_by", f["created_by"]])
            lines.append(["footer", file, "has_arrow_schema", str(f["has_arrow_schema"]).lower()])
            lines.append(["footer", file, "sorting", f.get("sorting", "")])
            for key in f["kv_keys"]:
                lines.append(["footer", file, "kv_key", key])
            for col, c in f["columns"].items():
                lines.append(["column", file, col, c["physical"], c["logical"],
                              c["compression"], str(c["has_column_index"]).lower()])
    for name, reason in result["skipped"].items():
        lines.append(["skipped", name, reason])
    return "\n".join("\t".join(clean(v) for v in line) for line in lines)


def main(argv):
    args = argv[1:]
    flat = "--flat" in args
    args = [a for a in args if a != "--flat"]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    export_dir = args[0]
    wanted = list(READERS)
    if len(args) >= 3 and args[1] == "--readers":
        wanted = [r for r in args[2].split(",") if r]
    try:
        with open(os.path.join(export_dir, "_dictionary.json"), encoding="utf-8") as f:
            manifest = json.load(f)
    except (OSError, ValueError) as e:
        print(f"cannot read the export's _dictionary.json: {e}", file=sys.stderr)
        return 1
    tables = manifest["tables"]
    result = {"profile": manifest.get("profile"), "readers": {}, "skipped": {}, "seconds": {}}
    for name in wanted:
        reader = READERS.get(name)
        if reader is None:
            result["skipped"][name] = "unknown reader"
            continue
        start = time.time()
        try:
            result["readers"][name] = reader(export_dir, tables)
        except ImportError as e:
            result["skipped"][name] = f"not installed: {e}"
        except Exception as e:  # a reader that fails is reported, not hidden
            tb = traceback.format_exc(limit=3)
            result["skipped"][name] = f"failed: {type(e).__name__}: {e}\n{tb}"[:4000]
        result["seconds"][name] = round(time.time() - start, 1)
    if flat:
        print(flat_lines(result))
    else:
        json.dump(result, sys.stdout, ensure_ascii=False, indent=1, default=str)
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
