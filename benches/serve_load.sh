#!/usr/bin/env bash
# Load test of `yusuan serve` on loopback, from a clean clone, one command:
#
#   benches/serve_load.sh [FACTS] [CONNECTIONS] [QUERIES]     e.g. benches/serve_load.sh 1M 32 200
#
# Builds yusuan (release; PROFILE=debug to skip that), installs psycopg from PyPI if
# missing, generates a lake of about FACTS facts (default 1M; kept in target/bench-lakes/
# and reused), starts `yusuan serve` on a free loopback port with a throwaway user, runs
# CONNECTIONS clients x QUERIES report queries (benches/serve_load.py) and prints the
# throughput, latency percentiles, failures and the server's memory over the run.
set -euo pipefail
cd "$(dirname "$0")/.."
FACTS="${1:-1M}"
CONNECTIONS="${2:-32}"
QUERIES="${3:-200}"
PROFILE="${PROFILE:-release}"
TARGET="${CARGO_TARGET_DIR:-target}"
LAKE="${LAKE:-$TARGET/bench-lakes/lake-$FACTS}"
BIN="$TARGET/$PROFILE/yusuan"

if [ "$PROFILE" = release ]; then
  cargo build --release --quiet --bin yusuan
else
  cargo build --quiet --bin yusuan
fi
python3 -c 'import psycopg' 2>/dev/null || python3 -m pip install --quiet "psycopg[binary]"
if [ ! -d "$LAKE/facts" ] || [ -z "$(find "$LAKE/facts" -name '*.parquet' -print -quit)" ]; then
  rm -rf "$LAKE"
  mkdir -p "$(dirname "$LAKE")"
  "$BIN" gen --format lake --facts "$FACTS" --out "$LAKE"
fi

work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
password="load-$$-$RANDOM"
echo "load:$(printf '%s\n' "$password" | "$BIN" serve --hash-password)" > "$work/users"
"$BIN" --lake "$LAKE" serve --listen 127.0.0.1:0 --users "$work/users" \
  --max-connections "$((CONNECTIONS + 4))" 2> "$work/log" &
server=$!
for _ in $(seq 1 600); do
  grep -q 'listening on' "$work/log" 2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$work/log" >&2; exit 1; }
  sleep 0.1
done
port="$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/log" | head -1)"
[ -n "$port" ] || { cat "$work/log" >&2; exit 1; }
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $PROFILE build; lake $LAKE ($FACTS facts)"
python3 benches/serve_load.py --port "$port" --user load --password "$password" --pid "$server" \
  --connections "$CONNECTIONS" --queries "$QUERIES"
