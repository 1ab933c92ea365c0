#!/bin/sh
# Runs a GUI test under its own Xvfb server. A missing xvfb-run is an error,
# never a skip: these tests must run.
if ! command -v xvfb-run >/dev/null 2>&1; then
  echo "run-xvfb.sh: xvfb-run not found; install the xvfb package (Debian: apt install xvfb)" >&2
  exit 1
fi
exec xvfb-run --auto-servernum --server-args="-screen 0 1280x1024x24 -nolisten tcp" "$@"
