#!/usr/bin/env bash
# Makes sure podman has a debian:bookworm-slim base image, without a container registry.
#
# Order of preference, cheapest first:
#   1. the image is already in podman's storage: nothing to do;
#   2. a cached root file system tarball exists: import it (a few seconds);
#   3. otherwise: debootstrap a minimal bookworm from Debian's archive, cache the tarball, import.
# The image stands in for Docker Hub's debian:bookworm-slim, so the Dockerfile builds unchanged.
# To refresh it (a Debian point release): podman rmi debian:bookworm-slim and delete the tarball.
set -euo pipefail

IMAGE=${ANCHOR_BASE_IMAGE:-docker.io/library/debian:bookworm-slim}
CACHE_DIR=${ANCHOR_CI_CACHE:-/var/cache/anchorbrowser_exporter-ci}
MIRROR=${ANCHOR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
TARBALL=$CACHE_DIR/bookworm-minbase.tar

if podman image exists "$IMAGE"; then
  echo "base image: $IMAGE already present"
  exit 0
fi

if [ ! -s "$TARBALL" ]; then
  mkdir -p "$CACHE_DIR"
  rootfs=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
  trap 'rm -rf "$rootfs"' EXIT
  echo "base image: debootstrap bookworm (minbase) from $MIRROR"
  start=$SECONDS
  debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$CACHE_DIR/debootstrap.log" 2>&1 ||
    { tail -n 30 "$CACHE_DIR/debootstrap.log" >&2; exit 1; }
  # The same apt sources as Docker Hub's image (including updates and security), instead of
  # debootstrap's single-line sources.list.
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/tmp/*
  tar -C "$rootfs" --numeric-owner -cf "$TARBALL.part" .
  mv "$TARBALL.part" "$TARBALL"
  echo "base image: debootstrap took $((SECONDS - start)) s; cached $TARBALL"
fi

echo "base image: importing $TARBALL as $IMAGE"
# Docker Hub's image sets PATH and CMD; an imported tarball has no config at all.
podman import --quiet --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change 'CMD ["bash"]' "$TARBALL" "$IMAGE" >/dev/null
