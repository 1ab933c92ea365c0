# One multi-stage image for the api, producer and trainer services (see docker-compose.yml).
# The build stage runs exactly the README's set-up steps (scripts/setup.sh reads
# scripts/deps-debian.txt), so the container and a developer machine cannot drift.

FROM debian:12 AS build
WORKDIR /src
COPY scripts/deps-debian.txt scripts/setup.sh scripts/
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      $(grep -vE '^\s*(#|$)' scripts/deps-debian.txt) \
 && rm -rf /var/lib/apt/lists/*
COPY . .
# CO2S_FETCH_KAFKA=0: the images run the services only; Kafka is compose's own service.
RUN CO2S_FETCH_KAFKA=0 bash scripts/setup.sh \
 && meson install -C builddir --destdir /staging --tags runtime

FROM debian:12-slim AS runtime
RUN apt-get update -q \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      libglib2.0-0 libjson-glib-1.0-0 libsoup-3.0-0 librdkafka1 curl ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app co2stream
COPY --from=build /staging/usr/local/bin/ /usr/local/bin/
WORKDIR /app
USER co2stream
# The compose file picks the program per service.
CMD ["co2stream-api", "--help"]
