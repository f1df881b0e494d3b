#!/usr/bin/env bash
# The GitHub Action's first step: installs the released `preflight` CLI for this runner's system
# and processor, checked against the release's SHA256SUMS before it is unpacked, and puts it on
# the PATH of the job's next steps.
#
# Environment: PREFLIGHT_VERSION (a release tag such as v0.2.0, or "latest"), PREFLIGHT_RELEASES
# (the releases' address, https://github.com/OWNER/REPO/releases), and the runner's own RUNNER_OS,
# RUNNER_ARCH, RUNNER_TEMP and GITHUB_PATH. Works the same outside GitHub (GitLab, a laptop):
# without RUNNER_* it reads uname and installs into /tmp/preflight.
set -euo pipefail

version=${PREFLIGHT_VERSION:-latest}
releases=${PREFLIGHT_RELEASES:?name the releases address, https://github.com/OWNER/REPO/releases}
os=${RUNNER_OS:-$(uname -s)}
arch=${RUNNER_ARCH:-$(uname -m)}

case "$os/$arch" in
  Linux/X64 | Linux/x86_64) target=x86_64-unknown-linux-gnu ext=tar.gz ;;
  Linux/ARM64 | Linux/aarch64) target=aarch64-unknown-linux-gnu ext=tar.gz ;;
  macOS/* | Darwin/*) target=universal-apple-darwin ext=tar.gz ;;
  Windows/X64 | MINGW*/* | MSYS*/*) target=x86_64-pc-windows-msvc ext=zip ;;
  *)
    echo "::error::Preflight has no build of its command line for $os on $arch."
    exit 2
    ;;
esac

if [ "$version" = latest ]; then
  from="$releases/latest/download"
else
  from="$releases/download/$version"
fi
asset="preflight-$target.$ext"
dir="${RUNNER_TEMP:-/tmp}/preflight"
rm -rf "$dir" && mkdir -p "$dir/bin"

fetch() { curl --fail --silent --show-error --location --retry 3 --max-time 300 --output "$dir/$1" "$from/$1"; }
if ! fetch "$asset" || ! fetch SHA256SUMS; then
  echo "::error::Could not download $asset of Preflight $version from $from."
  exit 1
fi

# The archive is checked before anything in it runs: a changed or truncated download is refused.
line=$(grep -E "[ *]$asset\$" "$dir/SHA256SUMS" || true)
if [ -z "$line" ]; then
  echo "::error::The release's SHA256SUMS does not list $asset, so it cannot be checked: refused."
  exit 1
fi
expected=${line%% *}
if command -v sha256sum >/dev/null; then
  actual=$(sha256sum "$dir/$asset" | cut -d' ' -f1)
else
  actual=$(shasum -a 256 "$dir/$asset" | cut -d' ' -f1)
fi
if [ "$expected" != "$actual" ]; then
  echo "::error::$asset does not match the release's checksum (expected $expected, got $actual): refused."
  exit 1
fi

case "$ext" in
  tar.gz) tar -xzf "$dir/$asset" -C "$dir/bin" ;;
  zip) unzip -q -o "$dir/$asset" -d "$dir/bin" ;;
esac
bin="$dir/bin/preflight"
[ "$ext" = zip ] && bin="$dir/bin/preflight.exe"
chmod +x "$bin" 2>/dev/null || true
"$bin" --version
if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$dir/bin" >>"$GITHUB_PATH"
fi
echo "Preflight is installed in $dir/bin."
