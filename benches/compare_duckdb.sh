#!/usr/bin/env bash
# yusuan vs DuckDB on the same generated Parquet lake, from a clean clone, one command:
#
#   benches/compare_duckdb.sh [FACTS] [RUNS]      e.g. benches/compare_duckdb.sh 10M 5
#
# Builds yusuan (release), installs DuckDB from PyPI if missing, generates a lake of about
# FACTS facts (default 10M; kept in target/bench-lakes/ and reused), runs every report
# question in `yusuan sql` and in DuckDB, checks the answers are equal and prints each
# question's median time and the ratio. Exit status 1 if any answer differs.
set -euo pipefail
cd "$(dirname "$0")/.."
FACTS="${1:-10M}"
RUNS="${2:-5}"
LAKE="${LAKE:-target/bench-lakes/lake-$FACTS}"

cargo build --release --quiet --bin yusuan
python3 -c 'import duckdb' 2>/dev/null || python3 -m pip install --quiet duckdb
if [ ! -d "$LAKE/facts" ] || [ -z "$(find "$LAKE/facts" -name '*.parquet' -print -quit)" ]; then
  rm -rf "$LAKE"
  mkdir -p "$(dirname "$LAKE")"
  target/release/yusuan gen --format lake --facts "$FACTS" --out "$LAKE"
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr); duckdb $(python3 -c 'import duckdb; print(duckdb.__version__)')"
python3 benches/compare_duckdb.py --yusuan target/release/yusuan --lake "$LAKE" --runs "$RUNS"
