# One multi-stage image for the api, producer and trainer services (see docker-compose.yml).
# Services only: the build stage installs the "build" and "libraries" sections of
# scripts/deps-debian.txt (the README's package list, cut before "# desktop app") and builds
# with -Dservices_only=true, so neither stage holds GTK, PLplot or cairo. The runtime stage
# holds the six command-line programs, their French catalogue and their libraries, runs as
# an unprivileged user, and has curl for the api's health check.

FROM debian:12 AS build
WORKDIR /src
COPY scripts/deps-debian.txt scripts/
# Debian 12's libsoup-3.0-dev depends on libsysprof-4-dev, which depends on GTK 4 and libadwaita
# (~1.7 GB) for sysprof's UI library; libsoup's pkg-config file needs only sysprof-capture-4.pc
# and its headers. So: libsoup-3.0-dev's other dependencies from apt, and the two -dev packages
# unpacked (dpkg-deb -x) without their dependencies.
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      $(awk '/^# desktop app/ { exit } /^[a-z0-9]/ && !/^libsoup-3.0-dev/ { print }' scripts/deps-debian.txt) \
      libsoup-3.0-0 gir1.2-soup-3.0 libbrotli-dev libnghttp2-dev libpsl-dev libsqlite3-dev zlib1g-dev \
 && cd /tmp && apt-get download -q libsoup-3.0-dev libsysprof-4-dev \
 && dpkg-deb -x libsoup-3.0-dev_*.deb / && dpkg-deb -x libsysprof-4-dev_*.deb / \
 && rm -f /tmp/*.deb && rm -rf /var/lib/apt/lists/*
# .dockerignore keeps build folders, models/, data/ and .git out of the context.
COPY . .
RUN meson setup /build --buildtype=release -Dservices_only=true \
 && meson compile -C /build \
 && meson install -C /build --destdir /staging

FROM debian:12-slim AS runtime
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libglib2.0-0 libjson-glib-1.0-0 libsoup-3.0-0 librdkafka1 curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /app co2stream
COPY --from=build /staging/usr/local/ /usr/local/
WORKDIR /app
# The trainer runs as the invoking user instead (docker-compose.yml: CO2S_UID/CO2S_GID), so
# that it can write the bind-mounted ./models.
USER 10001:10001
# The compose file picks the program per service.
CMD ["co2stream-api", "--help"]
