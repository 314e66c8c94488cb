#!/bin/bash
# rootfs.sh makes the minimal Debian bookworm root that hearth's container
# images start from, and prints its path. No image registry is reachable
# from hearth's machines, so images are not built FROM a registry's debian
# image: debootstrap builds the root from Debian's packages, and the callers
# `docker import` it. Both hearth's images (build/image/build.sh) and the
# test database image (.ci/pgimage/build.sh) use it.
#
# Usage: build/image/rootfs.sh [--force | --key]
#   --force  debootstrap anew even when the cached root is there
#   --key    print the root's cache key (what it is made of) and exit
#
# The root holds PostgreSQL 15 (hearth's embedded database, and the test
# and compose servers), ca-certificates (outgoing TLS) and tini (PID 1 in
# the containers). It is cached in $HEARTH_CACHE_DIR (default
# /var/cache/hearth), keyed by what goes into it, so it is made once per
# machine (about a minute); concurrent callers wait for one another.
#
# Environment:
#   DEBIAN_MIRROR     Debian mirror URL (default: the first one in this
#                     machine's apt sources)
#   HEARTH_CACHE_DIR  cache directory (see above)
#
# Making the root needs root (debootstrap) and debootstrap; printing the
# path of a cached one does not.
set -euo pipefail

suite=bookworm
packages=postgresql-15,ca-certificates,tini
# Bump when what this script removes from the root changes.
trims=v1

log() { echo "rootfs: $*" >&2; }
die() {
	log "$*"
	exit 1
}

key="$(printf '%s %s minbase %s' "$suite" "$packages" "$trims" | sha256sum | cut -c1-16)"
if [ "${1:-}" = "--key" ]; then
	echo "$key"
	exit 0
fi
force=0
if [ "${1:-}" = "--force" ]; then
	force=1
fi

cache="${HEARTH_CACHE_DIR:-/var/cache/hearth}"
rootfs="$cache/rootfs-$key"
if [ -d "$rootfs" ] && [ "$force" = 0 ]; then
	echo "$rootfs"
	exit 0
fi

[ "$(id -u)" = 0 ] || die "run as root: debootstrap needs it (sudo $0)"
command -v debootstrap >/dev/null || die "debootstrap missing: apt-get install debootstrap"
mkdir -p "$cache"
exec 9>"$cache/rootfs.lock"
flock 9
if [ -d "$rootfs" ] && [ "$force" = 0 ]; then
	echo "$rootfs" # made by the caller we waited for
	exit 0
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

url="${DEBIAN_MIRROR:-$(mirror | head -n1)}"
[ -n "$url" ] || die "no Debian mirror found in apt sources: set DEBIAN_MIRROR"
tmp="$rootfs.tmp.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
log "debootstrap $suite ($packages) from $url"
start=$SECONDS
debootstrap --variant=minbase --include="$packages" "$suite" "$tmp" "$url" >"$cache/debootstrap.log" 2>&1 ||
	die "debootstrap failed, see $cache/debootstrap.log"
# What no container uses, for a smaller image:
# - postgresql-common's postinst makes a cluster nobody uses;
# - apt's lists and archives, docs, man pages and message translations
#   (servers run in the C locale);
# - PostgreSQL's LLVM JIT (130 MB with libLLVM): without llvmjit.so the
#   server quietly runs without JIT, which short OLTP queries do not miss.
rm -rf "$tmp"/var/lib/postgresql/15/main "$tmp"/etc/postgresql/15/main \
	"$tmp"/var/lib/apt/lists/* "$tmp"/var/cache/apt/*.bin "$tmp"/var/cache/apt/archives/*.deb \
	"$tmp"/usr/share/doc/* "$tmp"/usr/share/man/* "$tmp"/usr/share/info/* "$tmp"/usr/share/locale/* \
	"$tmp"/usr/lib/postgresql/15/lib/llvmjit* "$tmp"/usr/lib/postgresql/15/lib/bitcode \
	"$tmp"/usr/lib/*-linux-gnu/libLLVM-*
rm -rf "$rootfs"
mv "$tmp" "$rootfs"
trap - EXIT
# Roots of other keys (and of .ci/pgimage before it shared this one) are
# out of date.
for old in "$cache"/rootfs-* "$cache"/pgimage-rootfs-*; do
	case "$old" in
	"$rootfs" | *.lock) ;;
	*) [ -d "$old" ] && rm -rf "$old" ;;
	esac
done
log "debootstrap done in $((SECONDS - start))s"
echo "$rootfs"
