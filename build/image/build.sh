#!/bin/bash
# build.sh builds hearth's container images with nothing but a Docker engine,
# Go and debootstrap: no image registry is reachable from hearth's machines.
#
#   hearth-base:bookworm  rootfs.sh's Debian root (PostgreSQL 15,
#                         ca-certificates, tini), imported with docker import
#   hearth:latest         the base plus hearth's static binary; runs
#                         `hearth serve` under tini, state under /data
#   hearth:complement     hearth:latest with HEARTH_PROFILE=complement, the
#                         image Matrix's test suite Complement runs
#   hearth-postgres:15    the base plus postgres-entrypoint.sh, the
#                         database server of build/docker-compose.yml
#
# Usage: build/image/build.sh   (what `make image` runs)
#
# Repeated builds are cheap: the Debian root is made once per machine and
# cached (see rootfs.sh), the base is imported again only when the root
# changes, and Go's build cache and docker's layer cache do the rest.
# Concurrent builds wait for one another.
#
# Environment:
#   HEARTH_IMAGE      name of the hearth images (default hearth)
#   GO                the go command (default go)
#   HEARTH_CACHE_DIR, DEBIAN_MIRROR   see rootfs.sh
#
# Needs a Docker engine; root too, the first time on a machine (debootstrap).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
name="${HEARTH_IMAGE:-hearth}"
base=hearth-base:bookworm
go="${GO:-go}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"

log() { echo "image: $*" >&2; }
die() {
	log "$*"
	exit 1
}

docker info >/dev/null 2>&1 || die "no Docker engine answers: start dockerd first"
began=$SECONDS

exec 9>"${TMPDIR:-/tmp}/hearth-image-build.lock"
flock 9

# The base: imported again only when the root's key changed.
key="$(bash "$here/rootfs.sh" --key)"
have="$(docker image inspect --format '{{ index .Config.Labels "hearth.base.key" }}' "$base" 2>/dev/null || true)"
if [ "$have" != "$key" ]; then
	rootfs="$(bash "$here/rootfs.sh")"
	log "importing $base ($key)"
	tar --numeric-owner -C "$rootfs" -c . |
		docker import \
			--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
			--change "LABEL hearth.base.key=$key" \
			- "$base" >/dev/null
	docker image prune -f --filter label=hearth.base.key >/dev/null
fi

# hearth's binary, static so that it needs nothing from the base, for the
# base's architecture.
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
arch="$(docker image inspect --format '{{ .Architecture }}' "$base")"
version="$(git -C "$repo" describe --tags --always --dirty 2>/dev/null || echo dev)"
log "building hearth $version (linux/$arch)"
(cd "$repo" && CGO_ENABLED=0 GOOS=linux GOARCH="$arch" "$go" build -trimpath \
	-ldflags "-s -w -X main.buildVersion=$version" -o "$ctx/hearth" ./cmd/hearth)
cp "$here/Dockerfile" "$here/postgres-entrypoint.sh" "$ctx/"

build() { # target tag
	docker build --quiet --build-arg "BASE=$base" --target "$1" \
		--label hearth.image="$1" --label org.opencontainers.image.version="$version" \
		-t "$2" "$ctx" >"$ctx/build.log" 2>&1 || {
		cat "$ctx/build.log" >&2
		die "docker build --target $1 failed"
	}
}
build hearth "$name:latest"
build complement "$name:complement"
build postgres hearth-postgres:15
# Images the new tags replaced.
docker image prune -f --filter label=hearth.image >/dev/null

size="$(docker image inspect --format '{{ .Size }}' "$name:latest")"
log "built $name:latest, $name:complement and hearth-postgres:15 in $((SECONDS - began))s ($((size / 1000000)) MB)"
