# syntax=docker/dockerfile:1
#
# Eddy in a container: a static binary on distroless/static, as a non-root
# user, data in the /var/lib/eddy volume, health checked with `eddy health`
# (the image has no shell, curl or wget).
#
#   docker build -t eddy --build-arg COMMIT=$(git rev-parse --short=12 HEAD) .
#   docker run -d -p 127.0.0.1:4567:4567 -p 127.0.0.1:4568:4568 -v eddy-data:/var/lib/eddy eddy
#
# Settings go in as EDDY_* environment variables, flags after the image name
# (docker run eddy serve --limits aws), or a config file (EDDY_CONFIG).
# deploy/compose.yaml runs it with Docker Compose. docs/DEPLOYMENT.md says
# what has and has not been tried.

ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# Stamped as `make build` stamps it (the build context has no .git).
ARG VERSION=""
ARG COMMIT=""
RUN ldflags="-s -w -X github.com/eddy-streams/eddy/internal/version.Commit=${COMMIT}"; \
    if [ -n "$VERSION" ]; then ldflags="$ldflags -X github.com/eddy-streams/eddy/internal/version.Version=${VERSION}"; fi; \
    CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o /out/eddy ./cmd/eddy \
    && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/eddy /usr/local/bin/eddy
# The data directory belongs to the image's non-root user (nonroot, uid
# 65532); a new named volume takes this ownership.
COPY --from=build --chown=65532:65532 /out/data /var/lib/eddy
USER 65532:65532
# Serve on every interface of the container; publish the ports on the host
# with care (see access keys in docs/DEPLOYMENT.md). Eddy refuses to listen
# beyond loopback without TLS, signature verification and an admin token
# (docs/SECURITY.md#transport); inside a container every interface is the
# container's own and `-p` decides who reaches it, so the image allows it
# (EDDY_INSECURE) and logs a warning. Set EDDY_TLS=auto, the access keys and
# EDDY_ADMIN_TOKEN, then EDDY_INSECURE=false, before publishing the ports
# beyond the host's loopback.
ENV EDDY_LISTEN=0.0.0.0:4567 \
    EDDY_ADMIN_LISTEN=0.0.0.0:4568 \
    EDDY_INSECURE=true \
    EDDY_DATA_DIR=/var/lib/eddy
VOLUME ["/var/lib/eddy"]
# 4567: the Kinesis API. 4568: the admin API (/metrics, /health, /ready, faults, purge).
EXPOSE 4567 4568
# eddy health asks EDDY_ADMIN_LISTEN's port on 127.0.0.1 for /health.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/eddy", "health"]
# eddy serve stops gracefully on SIGTERM (docker stop).
ENTRYPOINT ["/usr/local/bin/eddy"]
CMD ["serve"]
