# CareCircle: one city per container (docs/deploy.md).
#
#   docker build -t carecircle --build-arg VERSION=v1.0.0 --build-arg COMMIT=$(git rev-parse HEAD) .
#   docker run -p 8080:8080 -e CARECIRCLE_TOKEN=s3cret carecircle
#
# Off loopback the server refuses to start without a token: give
# CARECIRCLE_TOKEN (writes then need "Authorization: Bearer s3cret").
#
# Reports as PDF need Chromium: build with --build-arg WITH_CHROMIUM=true
# (adds some 400 MB); without it, reports are still served as HTML, XLSX
# and CSV, and a PDF request answers 501 pdf_unavailable.

# ---- build: cgo for H3 (h3-go bundles its C) and the PBF reader (zlib)
FROM golang:1.26-trixie AS build
RUN apt-get update && apt-get install -y --no-install-recommends zlib1g-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=(devel)
ARG COMMIT=
ARG BUILD_DATE=
RUN CGO_ENABLED=1 go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.buildDate=${BUILD_DATE}" \
      -o /out/carecircle ./cmd/carecircle \
 && /out/carecircle version

# ---- run: a slim Debian with the C libraries the binary links
FROM debian:trixie-slim
ARG WITH_CHROMIUM=false
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates zlib1g tzdata \
 && if [ "$WITH_CHROMIUM" = "true" ]; then apt-get install -y --no-install-recommends chromium fonts-noto-cjk; fi \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /var/lib/carecircle --create-home carecircle
COPY --from=build /out/carecircle /usr/local/bin/carecircle
COPY LICENSE /usr/share/doc/carecircle/LICENSE
USER carecircle
WORKDIR /var/lib/carecircle
ENV TZ=Asia/Shanghai
EXPOSE 8080
# City bundles are mounted at /data (read-only); SQLite scenarios, when no
# --db postgres:// is given, live in /var/lib/carecircle.
VOLUME ["/var/lib/carecircle"]
ENTRYPOINT ["carecircle"]
CMD ["serve", "--demo", "district", "--addr", "0.0.0.0:8080", "--db", "/var/lib/carecircle/scenarios.db"]
