#!/bin/bash
# build.sh builds the local Docker image hearth-pgtest:15 that pgtest starts
# through testcontainers. No image registry is reachable from hearth's
# machines, so the image is made from Debian packages: debootstrap a minimal
# bookworm root with postgresql-15, add entrypoint.sh, `docker import` it.
#
# Usage: sudo .ci/pgimage/build.sh [--force]   (--force: debootstrap anew)
#
# It does nothing when the image exists and was built from the current
# build.sh and entrypoint.sh (recorded in the image label hearth.pgimage.key).
# The debootstrapped root is cached in $HEARTH_CACHE_DIR (default
# /var/cache/hearth), so a rebuild after an entrypoint change takes seconds.
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
image=hearth-pgtest:15 # pgtest looks for this name
suite=bookworm
packages=postgresql-15
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
command -v debootstrap >/dev/null || die "debootstrap missing: apt-get install debootstrap"
docker info >/dev/null 2>&1 || die "no Docker engine answers: start dockerd first"

# The rootfs depends only on the suite and packages; the image also on the
# entrypoint and this script.
rootfs_key="$(printf '%s %s minbase v1' "$suite" "$packages" | sha256sum | cut -c1-16)"
image_key="$(cat "$here/build.sh" "$here/entrypoint.sh" | sha256sum | cut -c1-16)"

if [ "$force" = 0 ]; then
	have="$(docker image inspect --format '{{ index .Config.Labels "hearth.pgimage.key" }}' "$image" 2>/dev/null || true)"
	if [ "$have" = "$image_key" ]; then
		log "$image is up to date ($image_key)"
		exit 0
	fi
fi

# mirror prints the first Debian mirror of this machine's apt sources, in
# deb822 (.sources) or one-line (.list) form.
mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f"
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -e "$f" ] || continue
		awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/ && $i !~ /security/) { print $i; exit } }' "$f"
	done
}

cache="${HEARTH_CACHE_DIR:-/var/cache/hearth}"
rootfs="$cache/pgimage-rootfs-$rootfs_key"

if [ ! -d "$rootfs" ] || [ "$force" = 1 ]; then
	url="${DEBIAN_MIRROR:-$(mirror | head -n1)}"
	[ -n "$url" ] || die "no Debian mirror found in apt sources: set DEBIAN_MIRROR"
	mkdir -p "$cache"
	tmp="$rootfs.tmp.$$"
	rm -rf "$tmp"
	trap 'rm -rf "$tmp"' EXIT
	log "debootstrap $suite ($packages) from $url"
	start=$SECONDS
	debootstrap --variant=minbase --include="$packages" "$suite" "$tmp" "$url" >"$cache/debootstrap.log" 2>&1 ||
		die "debootstrap failed, see $cache/debootstrap.log"
	# postgresql-common's postinst makes a cluster we do not use; apt's
	# lists and archives, docs and man pages only make the image larger.
	rm -rf "$tmp"/var/lib/postgresql/15/main "$tmp"/etc/postgresql/15/main \
		"$tmp"/var/lib/apt/lists/* "$tmp"/var/cache/apt/*.bin "$tmp"/var/cache/apt/archives/*.deb \
		"$tmp"/usr/share/doc/* "$tmp"/usr/share/man/* "$tmp"/usr/share/info/*
	rm -rf "$rootfs"
	mv "$tmp" "$rootfs"
	trap - EXIT
	log "debootstrap done in $((SECONDS - start))s"
fi

install -m 0755 "$here/entrypoint.sh" "$rootfs/usr/local/bin/hearth-pg-entrypoint"
log "importing $image"
tar --numeric-owner -C "$rootfs" -c . |
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
