#!/usr/bin/env bash
# Ingest throughput and compaction, from a clean clone:
#
#   benches/ingest_throughput.sh [DOCS...]        default: 1000 10000
#
# For each size: generates DOCS documents in the seed's text format (DOCS/10 departments x
# 10 years), times `yusuan ingest` of the folder into a new lake (documents per second and
# ms per document), then times a report query before and after `yusuan compact` and checks
# both answers are equal.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(1000 10000)
cargo build --release --quiet --bin yusuan
Y=target/release/yusuan
WORK="${WORK:-target/bench-ingest}"
Q="SELECT fiscal_year, func_rollup(func_code, 1) AS lei, sum(total) AS total FROM expenditure GROUP BY 1, 2 ORDER BY 1, 2"
now() { date +%s.%N; }
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
time_query() { # prints the median of 3 runs in ms
  local t=()
  for _ in 1 2 3; do
    local s; s=$(now); $Y --lake "$1" sql --format csv -c "$Q" > /dev/null; t+=("$(echo "($(now) - $s) * 1000" | bc)")
  done
  median3 "${t[@]}"
}
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr)"
echo "| documents | facts | ingest s | docs/s | ms/doc | query before compact ms | compact s | query after ms | equal |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|:---:|"
for N in "${SIZES[@]}"; do
  D="$WORK/docs-$N"; L="$WORK/lake-$N"
  rm -rf "$D" "$L"; mkdir -p "$WORK"
  $Y gen --format text --departments $((N / 10)) --years 2015-2024 --out "$D" 2> /dev/null
  s=$(now); $Y --lake "$L" ingest "$D" 2> "$WORK/ingest-$N.log"; e=$(now)
  secs=$(echo "$e - $s" | bc)
  facts=$($Y --lake "$L" sql --format csv -c "SELECT count(*) FROM facts" | tail -1)
  before=$(time_query "$L"); $Y --lake "$L" sql --format csv -c "$Q" > "$WORK/before-$N.csv"
  s=$(now); $Y --lake "$L" compact 2> "$WORK/compact-$N.log"; cs=$(echo "$(now) - $s" | bc)
  after=$(time_query "$L"); $Y --lake "$L" sql --format csv -c "$Q" > "$WORK/after-$N.csv"
  eq=$(cmp -s "$WORK/before-$N.csv" "$WORK/after-$N.csv" && echo yes || echo NO)
  printf '| %s | %s | %.1f | %.0f | %.2f | %.0f | %.1f | %.0f | %s |\n' "$N" "$facts" "$secs" \
    "$(echo "$N / $secs" | bc -l)" "$(echo "$secs * 1000 / $N" | bc -l)" "$before" "$cs" "$after" "$eq"
done
