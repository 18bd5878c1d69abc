#!/usr/bin/env bash
# PostgreSQL's instructions per call of matching, counted by valgrind's callgrind: the same figure on a quiet or a
# busy machine, where CPU time on these VMs drifts ±10 % from one run to the next (BENCHMARKS.md, stop 42). It is what
# the paired SQL benchmark cannot do: compare table-level changes (an index more or less, a setting), each in a
# database of its own copied from one template, so that every variant starts from the same rows.
#
#   bash bench/sql-instructions.sh [variant.sql ...]
#
# The baseline (the migrated schema, as is) is always measured first; each variant file is SQL applied to its own
# copy of the template (e.g. `DROP INDEX requests_created;`). For each, a backend runs SQLINS_WARMUP calls and then
# either 0 or SQLINS_CALLS calls of bench/matching-sql.bench.ts (its synthetic roster, its draws, seeded), and exits;
# instructions per call are the difference of the two backends' totals over SQLINS_CALLS, so that the connection,
# the warm-up and the ANALYZE before the run cancel out. SQLINS_REPEAT (2) copies of each measure the residual
# spread (random UUIDs place index entries differently). SQLINS_PROFILE=1 also prints, for the first copy of each,
# where a call's instructions go, function by function (inclusive: a function with all it calls; lib/callgrind-diff.ts).
#
# A scratch PostgreSQL cluster of this machine's version runs in SQLINS_DIR (removed first) on SQLINS_PORT, set up
# by a plain server and measured under `valgrind --tool=callgrind` (about fifty times slower). It counts user-space
# instructions only: the kernel's share (socket writes, the WAL's write and fsync at each commit) is not in it.
# full_page_writes is off there, so that when a checkpoint happened does not change a run's count. Needs
# bench/dist (npx tsc -p bench/tsconfig.json) and bench/dist/app (see bench/lib/app-build.ts), and root (to run
# PostgreSQL as the postgres user).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${SQLINS_DIR:-/tmp/puente-sqlins}
PORT=${SQLINS_PORT:-5499}
CALLS=${SQLINS_CALLS:-200}
WARMUP=${SQLINS_WARMUP:-100}
REPEAT=${SQLINS_REPEAT:-2}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
BENCH="$ROOT/bench/dist/bench/matching-sql.bench.js"
SOCKET_URL="postgres://postgres@$(node -p "encodeURIComponent('$DIR')"):$PORT"
log() { echo "[sqlins] $(date -u +%H:%M:%S) $*"; }
as_pg() { su postgres -s /bin/bash -c "$*"; }
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$DIR" -p "$PORT" -U postgres "$@"; }
for f in "$@"; do [ -f "$f" ] || { echo "sql-instructions: no such variant file: $f" >&2; exit 2; }; done
[ -f "$BENCH" ] || { echo "sql-instructions: build the benchmark first (npx tsc -p bench/tsconfig.json)" >&2; exit 2; }

APP=${SQLBENCH_APP_DIR:-$ROOT/bench/dist/app}
stop() { [ -d "$DIR/data" ] && as_pg "$BIN/pg_ctl -D $DIR/data stop -m fast -w -t 300" > /dev/null 2>&1 || true; }
# Only a folder this script made (its mark inside) is ever removed.
if [ -e "$DIR" ] && [ ! -f "$DIR/.puente-sqlins" ]; then
  echo "sql-instructions: $DIR exists and is not this script's: choose another SQLINS_DIR" >&2
  exit 2
fi
trap stop EXIT
stop
rm -rf "$DIR" && mkdir -p "$DIR" && touch "$DIR/.puente-sqlins" && chown postgres "$DIR"
as_pg "$BIN/initdb -D $DIR/data -A trust -U postgres --no-sync -E UTF8 --locale=C.UTF-8" > "$DIR/initdb.log"
cat >> "$DIR/data/postgresql.conf" << EOF
port = $PORT
listen_addresses = ''
unix_socket_directories = '$DIR'
shared_buffers = 128MB
autovacuum = off
full_page_writes = off
checkpoint_timeout = 1d
max_wal_size = 20GB
timezone = 'Etc/UTC'
EOF
as_pg "$BIN/pg_ctl -D $DIR/data -l $DIR/setup.log -w start" > /dev/null

# Which build is measured (bench/dist/app is whatever was built or swapped in last).
log "build measured: $APP, last migration $(ls "$APP/migrations" | grep -E '^[0-9]{13}-.*\.js$' | sort | tail -1), SQL sources $(cat "$APP"/src/matching/sql/*.sql | sha256sum | cut -c1-12)"
log "the template: the migrated schema, the synthetic roster and the catalogue (a plain server)"
out=$(BENCH_SKIP_BUILD=1 SQLBENCH_APP_DIR="$APP" BENCH_DATABASE_BASE_URL="$SOCKET_URL" \
  SQLBENCH_KEEP=1 SQLBENCH_RUNS=0 SQLBENCH_WARMUP=0 node "$BENCH")
template=$(echo "$out" | sed -n 's/.*fresh database \([a-z0-9_]*\) .*/\1/p')
[ -n "$template" ] || { echo "$out" >&2; echo "sql-instructions: no template database" >&2; exit 1; }

names=(baseline "$@")
for v in "${!names[@]}"; do
  for r in $(seq 1 "$REPEAT"); do
    for n in 0 "$CALLS"; do
      psql_ -d postgres -c "CREATE DATABASE v${v}_${r}_${n} TEMPLATE $template"
      if [ "$v" -gt 0 ]; then psql_ -d "v${v}_${r}_${n}" -f "${names[$v]}"; fi
    done
  done
done
stop

log "the server under callgrind"
as_pg "cd $DIR && nohup valgrind --tool=callgrind --callgrind-out-file=$DIR/cg.%p $BIN/postgres -D $DIR/data > $DIR/valgrind.log 2>&1 &"
ready=0
for _ in $(seq 1 300); do psql_ -d postgres -c 'SELECT 1' > /dev/null 2>&1 && ready=1 && break; sleep 1; done
[ "$ready" = 1 ] || { echo "sql-instructions: the server under callgrind did not start (see $DIR/valgrind.log)" >&2; exit 1; }

# A backend's instructions, once it has exited and callgrind has written its totals.
instructions() {
  local file="$DIR/cg.$1"
  for _ in $(seq 1 600); do
    if [ -f "$file" ] && grep -q '^totals:' "$file"; then sed -n 's/^totals: \([0-9]*\).*/\1/p' "$file"; return; fi
    sleep 1
  done
  echo "sql-instructions: no totals for backend $1" >&2
  exit 1
}
summary=()
for v in "${!names[@]}"; do
  per=()
  for r in $(seq 1 "$REPEAT"); do
    declare -A total=() pids=()
    for n in 0 "$CALLS"; do
      out=$(BENCH_SKIP_BUILD=1 SQLBENCH_APP_DIR="$APP" BENCH_DATABASE_BASE_URL="$SOCKET_URL" \
        SQLBENCH_DATABASE="v${v}_${r}_${n}" SQLBENCH_RUNS=1 SQLBENCH_WARMUP="$WARMUP" SQLBENCH_CALLS="$n" node "$BENCH")
      pid=$(echo "$out" | sed -n 's/.*; backend \([0-9]*\)$/\1/p')
      total[$n]=$(instructions "$pid")
      pids[$n]=$pid
      log "${names[$v]} copy $r: $WARMUP + $n calls, backend $pid: ${total[$n]} instructions"
    done
    per+=("$(((total[$CALLS] - total[0]) / CALLS))")
    if [ "${SQLINS_PROFILE:-0}" = 1 ] && [ "$r" = 1 ]; then
      for n in 0 "$CALLS"; do callgrind_annotate --inclusive=yes --threshold=100 "$DIR/cg.${pids[$n]}" > "$DIR/annotate.$n.txt"; done
      log "${names[$v]}: where a call's instructions go (inclusive)"
      node "$ROOT/bench/dist/bench/lib/callgrind-diff.js" "$DIR/annotate.0.txt" "$DIR/annotate.$CALLS.txt" "$CALLS" 80
    fi
    unset total pids
  done
  summary+=("${names[$v]}: ${per[*]} instructions per call (copies 1..$REPEAT)")
done
log "PostgreSQL backend instructions per call (callgrind, user space; $CALLS calls after $WARMUP)"
printf '  %s\n' "${summary[@]}"
