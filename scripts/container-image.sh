#!/usr/bin/env bash
# Builds the headless watcher's container image from Debian's packages, with no image registry:
# a minimal Debian root made by mmdebstrap (CA certificates and libdbus), imported into Podman as
# the base, then deploy/Dockerfile with the CLI on top.
# Usage: scripts/container-image.sh BINARY [TAG]   (default tag localhost/preflight-watch:test)
# Needs root, podman, runc and mmdebstrap (scripts/setup.sh test installs them). The base is
# cached in ~/.cache/preflight/ for a day.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:?the preflight binary to put in the image}
tag=${2:-localhost/preflight-watch:test}
base=localhost/preflight-base:bookworm
cache="$HOME/.cache/preflight"
rootfs="$cache/preflight-base-bookworm.tar"
mkdir -p "$cache"

if [ ! -s "$rootfs" ] || [ -n "$(find "$rootfs" -mmin +1440 2>/dev/null)" ]; then
  echo "container-image: making a minimal Debian root with mmdebstrap"
  mmdebstrap --quiet --variant=essential --include=ca-certificates,libdbus-1-3 --mode=root \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    bookworm "$cache/preflight-base-bookworm.part.tar"
  mv "$cache/preflight-base-bookworm.part.tar" "$rootfs"
  podman rmi --force "$base" >/dev/null 2>&1 || true
fi
if ! podman image exists "$base"; then
  podman import --quiet "$rootfs" "$base" >/dev/null
fi

context=$(mktemp -d)
trap 'rm -rf "$context"' EXIT
cp "$bin" "$context/preflight"
mkdir "$context/state"
podman build --quiet --runtime runc --cgroup-manager cgroupfs --build-arg "BASE=$base" -f deploy/Dockerfile -t "$tag" "$context" >/dev/null
echo "container-image: built $tag ($(podman image inspect --format '{{.Size}}' "$tag") bytes)"
