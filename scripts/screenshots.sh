#!/usr/bin/env bash
# Takes the README's screenshots of the desktop app, in English and in French:
# the app runs under its own Xvfb (no display needed) with the pipeline on the
# real data set (on Apache Kafka on this computer, in a temporary folder:
# Java, and the jars co2stream-kafka fetches on its first run), and GTK
# renders the main window, the prediction dialog, the preferences (local and
# existing Kafka) and the reset confirmation into
# docs/screenshots/*-{en,fr}.png; in English also the lag plot, the dark style, the
# missing data set message, the shortcuts and About.
#
# Needs the build (scripts/setup.sh), the data set in data/, Xvfb and
# dbus-daemon. Environment: CO2S_BUILDDIR (default builddir).
set -euo pipefail
cd "$(dirname "$0")/.."

B=${CO2S_BUILDDIR:-builddir}
OUT=docs/screenshots

if [ ! -f "$B/build.ninja" ]; then
  bash scripts/setup.sh >&2
fi
meson compile -C "$B" co2s-screenshots co2stream-kafka co2stream-broker co2stream-api co2stream-trainer \
  co2stream-producer test-fr_FR.UTF-8 >&2

if [ ! -f data/co2_processed.csv ] && [ -z "${CO2S_DATASET:-}" ]; then
  echo "screenshots: data/co2_processed.csv is missing; put the data set there (see data/README.md)" >&2
  exit 1
fi
mkdir -p "$OUT"

common=(
  CO2S_SOURCE_DIR="$PWD"
  GSETTINGS_SCHEMA_DIR="$PWD/$B/resources"
  GSETTINGS_BACKEND=memory
  CO2S_LOCALEDIR="$PWD/$B/po"
  LOCPATH="$PWD/$B/tests/common"
  GTK_A11Y=none
)

echo "screenshots: English" >&2
env "${common[@]}" LC_ALL=C.UTF-8 LANGUAGE= "$B/tests/app/co2s-screenshots" "$OUT" en --more
echo "screenshots: French" >&2
env "${common[@]}" LC_ALL=fr_FR.UTF-8 LANG=fr_FR.UTF-8 LANGUAGE=fr "$B/tests/app/co2s-screenshots" "$OUT" fr
echo "screenshots: written to $OUT/" >&2
