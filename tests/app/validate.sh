#!/bin/sh
# Runs one validation tool of the desktop files (suite app-validate); a
# missing tool fails loudly with the package to install.
#   validate.sh TOOL PACKAGE ARGS...
tool=$1; package=$2; shift 2
if ! command -v "$tool" >/dev/null 2>&1; then
  echo "validate.sh: $tool is not installed (Debian: apt install $package)" >&2
  exit 1
fi
exec "$tool" "$@"
