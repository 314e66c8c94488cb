#!/bin/bash
# build.sh builds the local Docker image hearth-pgtest:15 that pgtest starts
# through testcontainers. No image registry is reachable from hearth's
# machines, so the image is made from Debian packages: debootstrap a minimal
# bookworm root with postgresql-15 (build/image/rootfs.sh, shared with
# hearth's own image), add entrypoint.sh, `docker import` it.
#
# Usage: sudo .ci/pgimage/build.sh [--force]   (--force: debootstrap anew)
#
# It does nothing when the image exists and was built from the current
# build.sh, entrypoint.sh and root (recorded in the image label
# hearth.pgimage.key). The debootstrapped root is cached in $HEARTH_CACHE_DIR
# (default /var/cache/hearth), so a rebuild after an entrypoint change takes
# seconds.
# A new image replaces the old one and removes the test containers made
# from it (pgtest names its container after the image ID).
#
# Environment:
#   DEBIAN_MIRROR     Debian mirror URL (default: the first one in this
#                     machine's apt sources)
#   HEARTH_CACHE_DIR  cache directory (see above)
#
# Needs root (debootstrap), debootstrap and a running Docker engine.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
rootfs_sh="$here/../../build/image/rootfs.sh"
image=hearth-pgtest:15 # pgtest looks for this name
force=0
if [ "${1:-}" = "--force" ]; then
	force=1
fi

log() { echo "pgimage: $*" >&2; }
die() {
	log "$*"
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root: debootstrap needs it (sudo $0)"
docker info >/dev/null 2>&1 || die "no Docker engine answers: start dockerd first"

# The image depends on the root (its key says what it is made of), the
# entrypoint and this script.
image_key="$({ bash "$rootfs_sh" --key; cat "$here/build.sh" "$here/entrypoint.sh"; } | sha256sum | cut -c1-16)"

if [ "$force" = 0 ]; then
	have="$(docker image inspect --format '{{ index .Config.Labels "hearth.pgimage.key" }}' "$image" 2>/dev/null || true)"
	if [ "$have" = "$image_key" ]; then
		log "$image is up to date ($image_key)"
		exit 0
	fi
fi

if [ "$force" = 1 ]; then
	rootfs="$(bash "$rootfs_sh" --force)"
else
	rootfs="$(bash "$rootfs_sh")"
fi

# The entrypoint joins the root in the tar stream: the cached root is shared
# and stays as debootstrap made it.
extra="$(mktemp -d)"
trap 'rm -rf "$extra"' EXIT
install -D -m 0755 "$here/entrypoint.sh" "$extra/usr/local/bin/hearth-pg-entrypoint"
log "importing $image"
tar --numeric-owner -c -C "$rootfs" . -C "$extra" ./usr/local/bin/hearth-pg-entrypoint |
	docker import \
		--change 'ENTRYPOINT ["/usr/local/bin/hearth-pg-entrypoint"]' \
		--change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--change 'EXPOSE 5432' \
		--change "LABEL hearth.pgimage.key=$image_key" \
		- "$image" >/dev/null
old_containers="$(docker ps -aq --filter label=hearth.pgtest)"
if [ -n "$old_containers" ]; then
	docker rm -f $old_containers >/dev/null
fi
docker image prune -f --filter label=hearth.pgimage.key >/dev/null
log "built $image ($image_key)"
