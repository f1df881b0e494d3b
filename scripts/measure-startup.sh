#!/usr/bin/env bash
# Measures what a founder waits for, on the built app under Xvfb (run on demand, not in npm test):
#   map     exec → the Preflight window is mapped
#   form    exec → the form is painted (the "Run audit" button's blue is on screen)
#   result  Enter in the domain box → the demo's problems are painted (the problem red is on screen)
# Usage: scripts/measure-startup.sh [path/to/preflight-desktop] [runs]
#        (default: the release build in $CARGO_TARGET_DIR or target/; 5 runs)
# Needs: xvfb, xdotool, imagemagick, dbus-x11 (scripts/setup.sh test installs them) and the CLI
# built in the same profile (for the sample product).
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
"$cli" demo --serve --ca-out "$work/ca.pem" --data-dir "$work/demo-data" >"$work/demo.out" 2>/dev/null &
for _ in $(seq 1 100); do grep -q '^PREFLIGHT_CONNECT_TO=' "$work/demo.out" 2>/dev/null && break; sleep 0.1; done
set -a
# shellcheck disable=SC1091
source <(grep '^PREFLIGHT_' "$work/demo.out")
set +a
export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1 APP="$app" WORK="$work" RUNS="$runs"

dbus-run-session -- xvfb-run -a -s "-screen 0 1280x900x24" bash -c '
  set -euo pipefail
  ms() { echo $(( $(date +%s%N) / 1000000 )); }
  count() { convert "$1" -alpha off -fill black +opaque "$2" -fill white -opaque "$2" -format "%[fx:round(mean*w*h)]" info:; }
  printf "%-5s %8s %8s %10s\n" run "map ms" "form ms" "result ms"
  for run in $(seq 1 "$RUNS"); do
    export PREFLIGHT_DATA_DIR="$WORK/data-$run"
    start=$(ms)
    "$APP" >/dev/null 2>&1 &
    pid=$!
    wid=""
    until [ -n "$wid" ]; do
      [ $(( $(ms) - start )) -lt 20000 ] || { echo "no window within 20 s"; exit 1; }
      wid=$(xdotool search --onlyvisible --name "^Preflight$" 2>/dev/null | head -n1 || true)
    done
    mapped=$(ms)
    until [ "$(import -window "$wid" "$WORK/s.png" 2>/dev/null && count "$WORK/s.png" "#1f4fd6")" -ge 500 ]; do
      [ $(( $(ms) - start )) -lt 20000 ] || { echo "no form within 20 s"; exit 1; }
    done
    form=$(ms)
    # No window manager under Xvfb: keyboard focus follows the pointer. Point at the domain box
    # (window-relative, the layout of a 1100-wide window) and click it, then type.
    xdotool mousemove --window "$wid" 300 145 click 1
    xdotool type --delay 0 "acme-chat.test"
    xdotool key Return
    asked=$(ms)
    until [ "$(import -window "$wid" "$WORK/s.png" 2>/dev/null && count "$WORK/s.png" "#c5221f")" -ge 200 ]; do
      [ $(( $(ms) - asked )) -lt 20000 ] || { echo "no result within 20 s"; exit 1; }
    done
    result=$(ms)
    printf "%-5s %8d %8d %10d\n" "$run" $((mapped - start)) $((form - start)) $((result - asked))
    kill "$pid"; wait "$pid" 2>/dev/null || true
    # Where the result time went, from the app's own log: the network set-up and the audit.
    grep -hoE "(network handle ready|audit finished).*ms=[0-9]+" "$PREFLIGHT_DATA_DIR"/logs/*.log 2>/dev/null | sed "s/^/      /" || true
    while xdotool search --onlyvisible --name "^Preflight$" >/dev/null 2>&1; do
      [ $(( $(ms) - result )) -lt 10000 ] || break
    done
  done
'
