#!/usr/bin/env bash
# Proves that two versions of migrations/ build the same schema: migrates one empty database with the migrations
# of OLD_REV and another with those of the working tree (each followed by the SQL source files, as every migrate
# does), then compares `pg_dump --schema-only` of both. Written for the squash of the first 25 migrations into
# migrations/1765000000000-baseline.ts: `scripts/compare-migrated-schemas.sh <commit before the squash>`.
# The rows that migrations write are compared too, except those of TypeORM's own `migrations` table.
# Needs PostgreSQL at PG_BASE (default postgres://postgres@127.0.0.1:5432) and node_modules in this checkout.
set -euo pipefail
OLD_REV=${1:?usage: scripts/compare-migrated-schemas.sh OLD_REV}
PG_BASE=${PG_BASE:-postgres://postgres@127.0.0.1:5432}
ROOT=$(git rev-parse --show-toplevel)
WORK=$(mktemp -d)
SUFFIX=$$
cleanup() {
  for db in old new; do psql "$PG_BASE/postgres" -qc "DROP DATABASE IF EXISTS schema_compare_${db}_$SUFFIX WITH (FORCE)" >/dev/null 2>&1 || true; done
  git -C "$ROOT" worktree remove --force "$WORK/old" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Compiles a tree's migrations and database code into OUT and migrates a fresh database with them.
migrate_with() { # TREE OUT DB
  local tree=$1 out=$2 db=$3
  (cd "$tree" && "$ROOT/node_modules/.bin/tsc" -p tsconfig.build.json --outDir "$out" --incremental false)
  # sql-sources.ts looks for the SQL files beside the compiled code.
  mkdir -p "$out/src/matching" && cp -r "$tree/src/matching/sql" "$out/src/matching/"
  psql "$PG_BASE/postgres" -qc "CREATE DATABASE $db" >/dev/null
  (cd "$out" && NODE_PATH="$ROOT/node_modules" NODE_ENV=test DATABASE_URL="$PG_BASE/$db" node src/cli.js migrate)
  # \restrict lines carry a random key per dump (PostgreSQL 15.14+).
  pg_dump --schema-only --no-owner --no-privileges "$PG_BASE/$db" | grep -v '^-- Dumped\|^\\restrict\|^\\unrestrict' >"$WORK/$db.sql"
  # The rows a migration writes (the audit chain's genesis head), without TypeORM's own table and its sequence.
  pg_dump --data-only --exclude-table=migrations --exclude-table=migrations_id_seq "$PG_BASE/$db" | grep -v '^-- Dumped\|^\\restrict\|^\\unrestrict' >>"$WORK/$db.sql"
}

git -C "$ROOT" worktree add --detach "$WORK/old" "$OLD_REV" >/dev/null
ln -s "$ROOT/node_modules" "$WORK/old/node_modules"
migrate_with "$WORK/old" "$WORK/old/dist-compare" "schema_compare_old_$SUFFIX"
ln -s "$ROOT/node_modules" "$WORK/node_modules"
migrate_with "$ROOT" "$WORK/new-dist" "schema_compare_new_$SUFFIX"

if diff -u "$WORK/schema_compare_old_$SUFFIX.sql" "$WORK/schema_compare_new_$SUFFIX.sql"; then
  echo "identical schemas ($(grep -c '^CREATE' "$WORK/schema_compare_new_$SUFFIX.sql") CREATE statements) from $OLD_REV and the working tree"
else
  echo "the schemas differ" >&2
  exit 1
fi
