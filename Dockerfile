# syntax=docker/dockerfile:1
# One image for every role: `pybak controller`, `pybak serve`, `pybak worker`, `pybak run`, ...
#   docker build -t ghcr.io/pybak/pybak:dev .
# Build: the official Swift 6.3 image (Debian 12) with the C libraries' -dev packages; the Swift
# runtime is linked statically. Run: Debian 12 slim with only the C libraries' runtime packages.

ARG SWIFT_IMAGE=swift:6.3.1-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
# Debian's archive keeps only the newest version of a package in a suite, so exact version pins
# stop resolving after the next security update; the base image's tag fixes the suite instead.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libcurl4-openssl-dev libpq-dev libsqlite3-dev libssl-dev pkg-config zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so that a source change does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product pybak \
    && install -D -m 0755 "$(swift build -c release --static-swift-stdlib --show-bin-path)/pybak" /out/pybak \
    && install -D -m 0755 "$(dirname "$(command -v swift)")/../libexec/swift/linux/swift-backtrace-static" \
        /out/swift-backtrace-static

FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.title="pybak" \
      org.opencontainers.image.description="File-backup operator for Kubernetes: controller, REST sidecar and worker" \
      org.opencontainers.image.source="https://github.com/pybak/pybak"
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ca-certificates libcurl4 libpq5 libsqlite3-0 libssl3 zlib1g \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 65532 pybak \
    && useradd --system --uid 65532 --gid 65532 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin pybak
COPY --from=build /out/pybak /usr/local/bin/pybak
# A crash prints a symbolicated backtrace of every thread to the Pod's log.
COPY --from=build /out/swift-backtrace-static /usr/local/libexec/pybak/swift-backtrace-static
ENV SWIFT_BACKTRACE=enable=yes,sanitize=yes,threads=all,images=all,interactive=no,swift-backtrace=/usr/local/libexec/pybak/swift-backtrace-static
USER 65532:65532
ENTRYPOINT ["pybak"]
CMD ["--help"]
