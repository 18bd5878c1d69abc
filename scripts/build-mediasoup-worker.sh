#!/usr/bin/env bash
# Builds mediasoup's C++ worker against Debian bookworm's system libraries (DESIGN.md, "Building the
# mediasoup worker"). The result is cached outside node_modules, keyed by version, and linked to where the
# mediasoup package looks for it, so a clean `npm ci` never rebuilds it.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(node -p "require('mediasoup/package.json').version")
cache_dir=${PUENTE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/puente}/mediasoup-worker-$version
bin="$cache_dir/mediasoup-worker"
target=node_modules/mediasoup/worker/out/Release/mediasoup-worker

link_into_package() {
  mkdir -p "$(dirname "$target")"
  ln -sf "$bin" "$target"
}

if [ -x "$bin" ] && [ "${1:-}" != "--force" ]; then
  link_into_package
  exit 0
fi

bash scripts/install-debian-packages.sh worker

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r node_modules/mediasoup/worker "$work/worker"
rm -rf "$work/worker/out" "$work/worker/subprojects"
python3 scripts/patch-mediasoup-meson.py "$work/worker"
echo "build-mediasoup-worker: building mediasoup-worker $version (a few minutes)" >&2
(cd "$work/worker" && meson setup --buildtype release -Db_ndebug=true --wrap-mode=nodownload build >"$work/meson.log" 2>&1) \
  || { tail -40 "$work/meson.log" >&2; exit 1; }
ninja -C "$work/worker/build" mediasoup-worker >"$work/ninja.log" 2>&1 || { tail -40 "$work/ninja.log" >&2; exit 1; }
mkdir -p "$cache_dir"
install -m 0755 "$work/worker/build/mediasoup-worker" "$bin.tmp"
mv "$bin.tmp" "$bin"
link_into_package
echo "build-mediasoup-worker: built $bin" >&2
