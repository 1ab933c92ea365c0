#!/bin/bash
# test-installed.sh — co2stream installed like a desktop app (suite 'install').
#
# `meson install --no-rebuild` of the build tree into a temporary DESTDIR,
# then, from <DESTDIR><prefix> only, with the environment a desktop session
# gives (XDG_DATA_DIRS with the prefix's share/ first, LANGUAGE for French):
#   - the six command-line programs: --version and --help, and French --help
#     with the installed catalogue;
#   - the desktop file (desktop-file-validate, Exec names co2stream), the
#     AppStream metainfo (appstreamcli validate --no-net), the GSettings schema
#     compiled in the prefix (gnome.post_install), the icons;
#   - the installed `co2stream --export-plot` on a small metrics file with no
#     display;
#   - co2stream-kafka finds its pom.xml and log4j2.properties in the prefix's
#     datadir.
# The programs were built for <prefix> (/usr/local by default); run from a
# DESTDIR they are told where the prefix really is by the variables they
# honour for that: CO2S_LOCALEDIR (translations, src/pipeline/co2s-i18n.c),
# CO2S_KAFKA_DATADIR (co2stream-kafka's data files) and XDG_DATA_DIRS (the
# GSettings schema). Without DESTDIR (a real install) none of them is needed.
# Any failure stops the test with a message saying what is missing.
set -euo pipefail

fail () { echo "FAIL: $*" >&2; exit 1; }
step () { echo "# $*"; }

: "${CO2S_BUILD_ROOT:?}" "${CO2S_PREFIX:?}" "${CO2S_BINDIR:?}" "${CO2S_DATADIR:?}"
: "${CO2S_INSTALL_LOCALEDIR:?}" "${CO2S_TEST_LOCPATH:?}" "${MESON:?}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/co2s-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/dest
root=$dest$CO2S_PREFIX
bindir=$dest$CO2S_BINDIR
datadir=$dest$CO2S_DATADIR
localedir=$dest$CO2S_INSTALL_LOCALEDIR

step "meson install into $dest"
DESTDIR=$dest "$MESON" install -C "$CO2S_BUILD_ROOT" --no-rebuild --quiet >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "meson install --destdir failed"; }
[ -d "$root" ] || fail "nothing installed under $root"

# A desktop session's environment, nothing from the build tree.
desktop_env=(env -i "PATH=$bindir:/usr/bin:/bin" "HOME=$tmp/home" "LANG=C.UTF-8"
             "XDG_DATA_DIRS=$datadir:/usr/local/share:/usr/share"
             "XDG_CACHE_HOME=$tmp/cache" "XDG_CONFIG_HOME=$tmp/config"
             "CO2S_LOCALEDIR=$localedir" "CO2S_KAFKA_DATADIR=$datadir/co2stream/kafka"
             "GSETTINGS_BACKEND=memory")
mkdir -p "$tmp/home"

for name in api producer trainer predict broker kafka dlq; do
  prog=$bindir/co2stream-$name
  [ -x "$prog" ] || fail "co2stream-$name is not installed in $bindir"
  step "co2stream-$name --version / --help / French --help"
  out=$("${desktop_env[@]}" "$prog" --version) || fail "co2stream-$name --version exited $?"
  grep -q "co2stream" <<<"$out" || fail "co2stream-$name --version printed: $out"
  out=$("${desktop_env[@]}" "$prog" --help) || fail "co2stream-$name --help exited $?"
  grep -q "^Usage:" <<<"$out" || fail "co2stream-$name --help has no Usage: line: $out"
  out=$("${desktop_env[@]}" LANGUAGE=fr "$prog" --help) || fail "co2stream-$name --help in French exited $?"
  grep -q "^Utilisation" <<<"$out" ||
    fail "co2stream-$name --help with LANGUAGE=fr is not in French (catalogue $localedir/fr/LC_MESSAGES/co2stream.mo): $out"
done
[ -f "$localedir/fr/LC_MESSAGES/co2stream.mo" ] || fail "no French catalogue in $localedir"

step "co2stream-kafka finds its data files in $datadir/co2stream/kafka"
for f in pom.xml log4j2.properties; do
  [ -f "$datadir/co2stream/kafka/$f" ] || fail "$f is not installed in $datadir/co2stream/kafka"
done
# --fetch: with the user's real jar cache (what
# scripts/test.sh fetched) it must find everything and exit 0, which needs
# the installed pom.xml (its sha256 is the cache's key); with an empty cache
# it must get past finding pom.xml and ask for the jars.
real_cache=${XDG_CACHE_HOME:-$HOME/.cache}/co2stream/kafka-4.1.1
if [ -f "$real_cache/classpath.txt" ]; then
  out=$("${desktop_env[@]}" "$bindir/co2stream-kafka" --fetch --cache-dir "$real_cache" 2>&1) ||
    fail "installed co2stream-kafka --fetch --cache-dir $real_cache: $out"
else
  echo "# no jar cache in $real_cache: checking with an empty one"
  mkdir -p "$tmp/kafka-cache"
  set +e
  out=$("${desktop_env[@]}" PATH=/nonexistent "$bindir/co2stream-kafka" --fetch --cache-dir "$tmp/kafka-cache" 2>&1)
  set -e
  grep -q "jars of Apache Kafka .* are missing" <<<"$out" ||
    fail "installed co2stream-kafka --fetch did not get as far as the jars: $out"
fi

if [ "${CO2S_WITH_APP:-0}" = 1 ]; then
  app_id=io.github.co2stream.Co2stream
  step "desktop file"
  desktop=$datadir/applications/$app_id.desktop
  [ -f "$desktop" ] || fail "no desktop file $desktop"
  desktop-file-validate "$desktop" || fail "desktop-file-validate $desktop"
  exec_line=$(grep '^Exec=' "$desktop") || fail "no Exec= in $desktop"
  [[ $exec_line =~ ^Exec=co2stream( |$) ]] || fail "$desktop: $exec_line does not run co2stream"
  [ -x "$bindir/co2stream" ] || fail "co2stream (the app) is not installed in $bindir"

  step "metainfo"
  metainfo=$datadir/metainfo/$app_id.metainfo.xml
  [ -f "$metainfo" ] || fail "no metainfo $metainfo"
  appstreamcli validate --no-net "$metainfo" || fail "appstreamcli validate --no-net $metainfo"

  step "GSettings schema compiled in the prefix, icons"
  [ -f "$datadir/glib-2.0/schemas/$app_id.gschema.xml" ] || fail "schema not installed"
  # gnome.post_install compiles the schemas on a real install; with DESTDIR
  # meson skips it (a package's trigger does it on the target system), so
  # the test does what that trigger does.
  [ ! -f "$datadir/glib-2.0/schemas/gschemas.compiled" ] ||
    fail "gschemas.compiled was written under DESTDIR: a package would ship it"
  grep -q "glib_compile_schemas\|glib-compile-schemas" "$CO2S_BUILD_ROOT/meson-private/install.dat" 2>/dev/null ||
    strings "$CO2S_BUILD_ROOT/meson-private/install.dat" | grep -q "glib-compile-schemas" ||
    fail "meson install does not compile the schemas (gnome.post_install glib_compile_schemas)"
  glib-compile-schemas --strict "$datadir/glib-2.0/schemas" || fail "the installed schema does not compile"
  "${desktop_env[@]}" gsettings list-keys "$app_id" >/dev/null ||
    fail "gsettings does not find $app_id through XDG_DATA_DIRS"
  for icon in scalable/apps/$app_id.svg symbolic/apps/$app_id-symbolic.svg; do
    [ -f "$datadir/icons/hicolor/$icon" ] || fail "icon $icon not installed"
  done

  step "co2stream --export-plot, headless"
  now=$(date +%s%6N)
  for i in $(seq 1 20); do
    printf '{"batch":%d,"rows":100,"rows_seen":%d,"rmse":%s,"mae":1.5,"rmse_fit":2.0,"timestamp_us":%d,"lag":0,"latency_ms_p50":1.0,"latency_ms_max":2.0,"algo":"ls"}\n' \
      "$i" $((i * 100)) "$((10 + 40 / i)).5" $((now - (20 - i) * 1000000))
  done >"$tmp/metrics.jsonl"
  out=$("${desktop_env[@]}" "$bindir/co2stream" --export-plot "$tmp/rmse.png" --metrics "$tmp/metrics.jsonl" 2>&1) ||
    fail "installed co2stream --export-plot: $out"
  grep -q "20 batches" <<<"$out" || fail "co2stream --export-plot said: $out"
  [ "$(head -c 8 "$tmp/rmse.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
    fail "$tmp/rmse.png is not a PNG"
  step "co2stream --help in French"
  out=$("${desktop_env[@]}" LANGUAGE=fr "$bindir/co2stream" --help 2>&1) || fail "co2stream --help: $out"
  grep -q "^Utilisation" <<<"$out" || fail "co2stream --help with LANGUAGE=fr is not in French: $out"
else
  echo "# the desktop app is not built (no GTK 4): its files are not checked"
fi
echo "# all installed files found and working"
