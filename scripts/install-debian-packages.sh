#!/usr/bin/env bash
# Installs the Debian packages that Puente needs and this machine lacks, by group:
#   worker  what scripts/build-mediasoup-worker.sh builds mediasoup's worker with (DESIGN.md)
#   test    what the test suites run besides Node: Debian's Chromium (browser tests), coturn's turnserver
#           (TURN tests) and redis-server (tests that stop and start a Redis of their own)
# PostgreSQL and Redis themselves come with the machine (scripts/start-services.sh starts them).
# Does nothing, and needs no network, when every package is there; otherwise runs `apt-get update` once
# and installs the missing ones (as root; others are told the command to run).
set -euo pipefail

worker=(meson ninja-build pkg-config g++ python3 libuv1-dev libssl-dev libsrtp2-dev libabsl-dev libusrsctp-dev nlohmann-json3-dev)
test=(chromium coturn redis-server)

wanted=()
for group in "$@"; do
  case "$group" in
    worker) wanted+=("${worker[@]}") ;;
    test) wanted+=("${test[@]}") ;;
    *) echo "install-debian-packages: unknown group '$group' (worker, test)" >&2; exit 2 ;;
  esac
done
[ ${#wanted[@]} -gt 0 ] || { echo "usage: install-debian-packages.sh worker|test..." >&2; exit 2; }

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "install-debian-packages: missing ${missing[*]}, and this is not a Debian system: install their equivalents" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-debian-packages: missing Debian packages: ${missing[*]} (run as root, or: sudo apt-get update && sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "install-debian-packages: installing ${missing[*]}" >&2
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
