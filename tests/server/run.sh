#!/usr/bin/env bash
# The watcher on a server: checks the systemd unit with systemd-analyze, builds the container image
# from Debian's packages (scripts/container-image.sh) and runs the outage scenario inside it
# against the testbed (src-tauri/crates/cli/tests/server.rs, the test that needs the image).
# Usage: tests/server/run.sh   (root; the CLI already built in CARGO_TARGET_DIR)
set -euo pipefail
cd "$(dirname "$0")/../.."
target=${CARGO_TARGET_DIR:-target}
bin="$target/debug/preflight"
[ -x "$bin" ] || cargo build -p preflight-cli --locked

# The unit as shipped, with ExecStart pointed at this build (verify wants the binary to exist).
unit_dir=$(mktemp -d)
trap 'rm -rf "$unit_dir"' EXIT
sed "s|/usr/local/bin/preflight|$(realpath "$bin")|" deploy/preflight-watch.service >"$unit_dir/preflight-watch.service"
touch "$unit_dir/watch.env"
sed -i "s|/etc/preflight/watch.env|$unit_dir/watch.env|" "$unit_dir/preflight-watch.service"
if ! out=$(systemd-analyze verify "$unit_dir/preflight-watch.service" 2>&1); then
  echo "$out"
  exit 1
fi
# verify prints what it does not like without failing on all of it: any word about the unit fails.
if grep -i "preflight-watch" <<<"$out"; then
  exit 1
fi
echo "server: the systemd unit verifies"

image=localhost/preflight-watch:test
bash scripts/container-image.sh "$bin" "$image"
# A keyring of our own (the export adds a channel, whose address goes to the keychain).
XDG_DATA_HOME=$(mktemp -d)
export XDG_DATA_HOME
dbus-run-session -- bash -c '
  set -euo pipefail
  printf "preflight-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  PREFLIGHT_REQUIRE_KEYCHAIN=1 PREFLIGHT_WATCH_IMAGE='"$image"' cargo test -p preflight-cli --locked --test server -- --ignored
'
