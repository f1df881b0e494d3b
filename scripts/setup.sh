#!/usr/bin/env bash
# Installs what building and testing Preflight needs on a fresh Debian/Ubuntu machine that has
# only Rust, Node and npm: system packages (apt, with sudo when not root) and npm packages.
# Usage: scripts/setup.sh [build|test]   (test adds the packages the test suites need)
set -euo pipefail
cd "$(dirname "$0")/.."

want=${1:-build}
build_pkgs=(build-essential pkg-config file libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev)
test_pkgs=(xvfb xauth dbus-x11 dunst libnotify-bin gnome-keyring libsecret-tools webkit2gtk-driver chromium
  x11-utils xdotool fonts-dejavu-core imagemagick openssl git dovecot-imapd curl jq shellcheck
  podman runc mmdebstrap systemd rpm sudo sqlite3)
pkgs=("${build_pkgs[@]}")
[ "$want" = test ] && pkgs+=("${test_pkgs[@]}")

missing=()
for p in "${pkgs[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(uname -s)" != Linux ] || ! command -v apt-get >/dev/null; then
    echo "setup: install these system packages by hand: ${missing[*]}" >&2
  else
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${#missing[@]} system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# npm packages, when the lock file changed since the last install (or there is no node_modules yet).
# `npm install` (which keeps the locked versions) rather than `npm ci`: the lock can only list the
# @tauri-apps/cli platform binaries the registry served when it was written, and `npm ci` refuses a
# lock that lacks the other platforms' optional entries.
stamp=node_modules/.preflight-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm install --no-audit --no-fund
  cp package-lock.json "$stamp"
fi
