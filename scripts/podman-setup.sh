#!/usr/bin/env bash
# Podman as this project's container engine on a Debian 12 machine with no image registry
# (used by tests/containers, and usable by hand). Never edits /etc: the engine's settings go
# through CONTAINERS_CONF.
#
#   podman-setup.sh check                 the packages are there (fails naming the missing ones)
#   podman-setup.sh start STATE_DIR       writes STATE_DIR/containers.conf, starts
#                                         `podman system service` on STATE_DIR/podman.sock,
#                                         prints the two lines to export:
#                                           CONTAINERS_CONF=STATE_DIR/containers.conf
#                                           DOCKER_HOST=unix://STATE_DIR/podman.sock
#   podman-setup.sh stop STATE_DIR        stops that service (its pid is in STATE_DIR/service.pid)
#   podman-setup.sh base-image            debian:12 and debian:12-slim (what ./Dockerfile names),
#                                         from `debootstrap --variant=minbase bookworm`, imported
#                                         into Podman's storage; the root file system is cached as
#                                         $CACHE/debian-12-minbase.tar (CACHE=~/.cache/co2stream/containers)
#   podman-setup.sh kafka-image           co2stream-test-kafka:4.1.1, a test-only stand-in for
#                                         apache/kafka:4.1.1 (tests/containers/kafka/): the base image,
#                                         Debian's JRE and Kafka's jars resolved by Maven (also kept
#                                         in $CACHE/kafka-libs: the test's host-side Kafka tools);
#                                         built again when tests/containers/kafka/ changes
#
# Images live in Podman's own storage (/var/lib/containers/storage for root), which survives
# between runs on the same machine, like ~/.cache; a machine without them rebuilds them
# (the cold path: ~debootstrap + apt + Maven).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${CO2S_CONTAINERS_CACHE:-$HOME/.cache/co2stream/containers}
KAFKA_IMAGE=co2stream-test-kafka:4.1.1
PACKAGES="podman runc docker-compose golang-github-containernetworking-plugin-dnsname debootstrap"

say() { echo "podman-setup: $*" >&2; }
die() { say "$*"; exit 1; }

check() {
  local missing=()
  for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] || die "missing package(s): ${missing[*]} (they are in scripts/deps-debian.txt: run scripts/setup.sh, or apt-get install ${missing[*]})"
  [ "$(id -u)" -eq 0 ] || die "the container test runs rootful Podman (debootstrap and the CNI network need root); run it as root"
}

conf() {
  local state=$1
  cat > "$state/containers.conf" <<'EOF'
# Written by scripts/podman-setup.sh. crun fails here ("cgroups in hybrid mode") and the
# default ulimits fail with EPERM in this kind of machine: runc, cgroupfs, no default ulimits.
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
EOF
}

start() {
  local state=${1:?usage: podman-setup.sh start STATE_DIR}
  check
  mkdir -p "$state"
  state=$(cd "$state" && pwd)
  conf "$state"
  export CONTAINERS_CONF=$state/containers.conf
  local sock=$state/podman.sock
  rm -f "$sock"
  setsid podman system service --time=0 "unix://$sock" > "$state/service.log" 2>&1 < /dev/null &
  echo $! > "$state/service.pid"
  local i
  for i in $(seq 1 100); do
    if [ -S "$sock" ] && curl -fsS --unix-socket "$sock" http://d/_ping > /dev/null 2>&1; then
      echo "CONTAINERS_CONF=$CONTAINERS_CONF"
      echo "DOCKER_HOST=unix://$sock"
      return 0
    fi
    kill -0 "$(cat "$state/service.pid")" 2>/dev/null || die "podman system service exited: $(tail -3 "$state/service.log")"
    sleep 0.1
  done
  die "podman system service did not answer on $sock within 10 s: $(tail -3 "$state/service.log")"
}

stop() {
  local state=${1:?usage: podman-setup.sh stop STATE_DIR}
  [ -f "$state/service.pid" ] || return 0
  local pid; pid=$(cat "$state/service.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  fi
  rm -f "$state/service.pid" "$state/podman.sock"
}

base_image() {
  check
  if podman image exists debian:12 && podman image exists debian:12-slim; then return 0; fi
  mkdir -p "$CACHE"
  local tar=$CACHE/debian-12-minbase.tar
  if [ ! -s "$tar" ]; then
    local rootfs; rootfs=$(mktemp -d "$CACHE/rootfs.XXXXXX")
    say "debootstrap --variant=minbase bookworm (once; cached as $tar)"
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian > "$CACHE/debootstrap.log" 2>&1 \
      || { rm -rf "$rootfs"; die "debootstrap failed (see $CACHE/debootstrap.log): $(tail -2 "$CACHE/debootstrap.log")"; }
    # As the official slim image: no documentation, manual pages or message catalogues, now
    # or in the packages later layers install.
    printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' \
      'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
      'path-exclude /usr/share/locale/*' 'path-exclude /usr/share/lintian/*' \
      > "$rootfs/etc/dpkg/dpkg.cfg.d/co2stream-slim"
    (cd "$rootfs" && [ -f etc/debian_version ] && find usr/share/doc -type f ! -name copyright -delete \
       && rm -rf usr/share/man/* usr/share/info/* usr/share/locale/* var/cache/apt/archives/*.deb \
                 var/cache/apt/*.bin var/lib/apt/lists/*)
    tar -C "$rootfs" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
    rm -rf "$rootfs"
  fi
  podman import --change 'CMD ["/bin/bash"]' "$tar" debian:12 > /dev/null
  podman tag debian:12 debian:12-slim
}

kafka_image() {
  check
  # Rebuilt when its build context (tests/containers/kafka/, the log settings) changed.
  local sum; sum=$(cat "$ROOT"/tests/containers/kafka/* "$ROOT/resources/kafka/log4j2.properties" | sha256sum | cut -c1-16)
  if [ "$(podman image inspect -f '{{index .Labels "co2s.context"}}' "$KAFKA_IMAGE" 2>/dev/null)" = "$sum" ]; then return 0; fi
  base_image
  local ctx; ctx=$(mktemp -d "${TMPDIR:-/tmp}/co2s-kafka-image.XXXXXX")
  cp "$ROOT"/tests/containers/kafka/* "$ctx/"
  cp "$ROOT/resources/kafka/log4j2.properties" "$ctx/"
  say "resolving Kafka 4.1.1's jars with Maven (tests/containers/kafka/pom.xml) into $CACHE/kafka-libs"
  rm -rf "$CACHE/kafka-libs"
  mvn -q -B -Dstyle.color=never -f "$ctx/pom.xml" dependency:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$CACHE/kafka-libs" > "$CACHE/mvn.log" 2>&1 \
    || die "Maven could not resolve Kafka's jars: $(grep -m1 ERROR "$CACHE/mvn.log")"
  cp -r "$CACHE/kafka-libs" "$ctx/libs"
  say "building $KAFKA_IMAGE"
  podman build --label "co2s.context=$sum" -t "$KAFKA_IMAGE" "$ctx" > "$CACHE/kafka-image-build.log" 2>&1 || { rm -rf "$ctx"; die "podman build of $KAFKA_IMAGE failed (see $CACHE/kafka-image-build.log): $(grep -m2 -E "^E:|Error" "$CACHE/kafka-image-build.log")"; }
  rm -rf "$ctx"
}

case "${1:-}" in
  check) check ;;
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  base-image) base_image ;;
  kafka-image) kafka_image ;;
  *) die "usage: podman-setup.sh check | start STATE_DIR | stop STATE_DIR | base-image | kafka-image" ;;
esac
