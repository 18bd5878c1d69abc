#!/usr/bin/env bash
# Runs mediasoup's own test suite (shipped in the npm package under node/lib/tests) against the worker
# built from Debian's libraries by scripts/build-mediasoup-worker.sh, or MEDIASOUP_WORKER_BIN when set.
# Two tests are known to fail on this build (scripts/mediasoup-tests/check-results.mjs says which and why);
# any other failure, or a known one failing differently, makes this script exit non-zero.
# Prints "mediasoup-worker: N passed, M failed" last. Set MEDIASOUP_TESTS_VERBOSE=1 to see jest's output.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${MEDIASOUP_WORKER_BIN:-}" ]; then
  bash scripts/build-mediasoup-worker.sh
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# mediasoup reports each unexpected worker death (with its signal) through `debug`: the trap is a SIGILL.
set +e
DEBUG='mediasoup:ERROR*' DEBUG_COLORS=0 node node_modules/jest/bin/jest.js \
  --config scripts/mediasoup-tests/jest.config.cjs --ci --json --outputFile="$work/results.json" \
  >"$work/jest.log" 2>&1
set -e
if [ "${MEDIASOUP_TESTS_VERBOSE:-}" = 1 ]; then cat "$work/jest.log" >&2; fi
if [ ! -s "$work/results.json" ]; then
  tail -40 "$work/jest.log" >&2
  echo "test-mediasoup-worker: jest produced no results" >&2
  exit 1
fi
if ! node scripts/mediasoup-tests/check-results.mjs "$work/results.json" "$work/jest.log" >"$work/check.log" 2>&1; then
  # jest's own account of each failure first, then the verdict, so that the summary line stays last.
  [ "${MEDIASOUP_TESTS_VERBOSE:-}" = 1 ] || grep -E '^\s*(●|FAIL)' "$work/jest.log" >&2 || true
  cat "$work/check.log"
  exit 1
fi
cat "$work/check.log"
