#!/usr/bin/env bash
# Sets up what is missing on a Debian 12 / Ubuntu machine and builds co2stream:
#   1. the system packages listed in scripts/deps-debian.txt (apt, only those missing);
#   2. the Meson build in builddir/;
#   3. Apache Kafka's jars for co2stream-kafka (the local broker of the app and
#      scripts/run.sh) and the tests: resolved once with Maven from Central
#      (~60 MB into ~/.m2; the list cached in ~/.cache/co2stream/kafka-VERSION).
#      CO2S_FETCH_KAFKA=0 skips it (e.g. a container build that needs no Kafka).
# The data set is committed (data/co2_processed.csv, see data/README.md).
# Idempotent: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILDDIR=${CO2S_BUILDDIR:-builddir}

mapfile -t pkgs < <(grep -vE '^\s*(#|$)' scripts/deps-debian.txt)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${#missing[@]} system package(s): ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ ! -f "$BUILDDIR/build.ninja" ]; then
  meson setup "$BUILDDIR" --buildtype=debugoptimized
fi
meson compile -C "$BUILDDIR"

if [ "${CO2S_FETCH_KAFKA:-1}" != 0 ]; then
  "$BUILDDIR/src/kafka/co2stream-kafka" --fetch
fi
