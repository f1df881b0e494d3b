#!/usr/bin/env bash
# Measures what a founder waits for, on the built app under Xvfb over WebDriver (run on demand, not
# in npm test; tests/desktop/timing.mjs says what each column is):
#   map     launch → the Preflight window is mapped
#   paint   launch → the page's first contentful paint (the form)
#   result  click on "Try the demo" → the result drawn
# Usage: scripts/measure-startup.sh [path/to/preflight-desktop] [runs]
#        (default: the release build in $CARGO_TARGET_DIR or target/; 5 runs)
# Needs: xvfb, xdotool, dbus-x11, webkit2gtk-driver (scripts/setup.sh test installs them),
# tauri-driver, and the CLI built in the same profile (it serves the sample product).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
app="${1:-$target/release/preflight-desktop}"
runs="${2:-5}"
cli="$(dirname "$app")/preflight"
[ -x "$app" ] || { echo "measure: no app at $app (build it: npx tauri build --bundles deb)"; exit 2; }
[ -x "$cli" ] || { echo "measure: no CLI at $cli (cargo build -p preflight-cli --release)"; exit 2; }

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
# shellcheck source=scripts/demo-env.sh
source "$PWD/scripts/demo-env.sh"
start_demo "$cli" "$work"
export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1 WORK="$work" RUNS="$runs"

command -v tauri-driver >/dev/null || cargo install tauri-driver --version 2.0.6 --locked
export PREFLIGHT_APP="$app" PREFLIGHT_DATA_DIR="$work/app-data"
# The inner script expands its own variables (it runs in the session and the X server started here).
# shellcheck disable=SC2016
dbus-run-session -- xvfb-run -a -s "-screen 0 1280x900x24" bash -c '
  set -euo pipefail
  tauri-driver --port 4444 --native-port 4445 >"$WORK/driver.log" 2>&1 &
  for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/4444) 2>/dev/null && break; sleep 0.1; done
  node tests/desktop/timing.mjs
  kill %1 2>/dev/null || true
'
echo "the app log (network set-up and audit durations):"
grep -hoE "(network handle ready|audit finished).*ms=[0-9]+" "$work"/app-data/logs/*.log 2>/dev/null | sed "s/^/  /" || true
