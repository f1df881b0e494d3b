#!/usr/bin/env bash
# How heavy Preflight is in the tray (issue 8): the real desktop app under Xvfb with a window
# manager, 20 monitors running against the sample product on loopback. Prints RSS and PSS of the
# app and its WebKit processes with the window open, after closing it (the webview is destroyed,
# the tray and the watcher stay), and after opening it again through a second launch (which the
# single-instance plugin turns into "bring the running one forward", or, when the app handed the tray
# to preflight-tray, starts the app again), and how long reopening took.
# The peer is the same app before this change, which hid the window instead of destroying it: its
# "closed" figures were its "open" ones (the issue measured 472 MiB RSS / 291 MiB PSS).
# Usage: scripts/bench-tray.sh   (builds the debug app if needed; APP=path to use another build)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target="${CARGO_TARGET_DIR:-$root/target}"
need=()
for p in openbox wmctrl xdotool xvfb dbus-x11 gnome-keyring; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
app="${APP:-$target/debug/preflight-desktop}"
if [ -z "${APP:-}" ]; then
  npm run --silent ui:build
  npx tauri build --debug --no-bundle --ci >/dev/null
  cargo build -q -p preflight-tray
fi
cargo build -q -p preflight-cli
cli="$target/debug/preflight"

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
# shellcheck source=scripts/demo-env.sh
source "$PWD/scripts/demo-env.sh"
start_demo "$cli" "$work"
export PREFLIGHT_DATA_DIR="$work/app-data" PREFLIGHT_WATCH_REFERENCES="https://app.acme-chat.test/" XDG_DATA_HOME="$work/xdg"
export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1

# 20 monitors of the sample product, at a 30 s interval.
{
  echo 'domain = "acme-chat.test"'
  for i in $(seq 1 20); do
    printf '[[monitors]]\nname = "page %s"\nurl = "https://app.acme-chat.test/?p=%s"\ninterval_secs = 30\n' "$i" "$i"
  done
} >"$work/monitors.toml"
"$cli" --data-dir "$PREFLIGHT_DATA_DIR" monitors --import "$work/monitors.toml" >/dev/null

cat >"$work/measure.sh" <<'INNER'
set -euo pipefail
tree() { local p=$1; echo "$p"; for c in $(pgrep -P "$p"); do tree "$c"; done; }
mem() { # prints "RSS_MiB PSS_MiB processes" for the app's process tree
  local rss=0 pss=0 n=0
  for p in $(tree "$1"); do
    [ -r /proc/$p/smaps_rollup ] || continue
    rss=$((rss + $(awk '/^Rss:/{print $2}' /proc/$p/smaps_rollup)))
    pss=$((pss + $(awk '/^Pss:/{print $2}' /proc/$p/smaps_rollup)))
    n=$((n + 1))
  done
  echo "$((rss / 1024)) $((pss / 1024)) $n"
}
mapped() { xdotool search --onlyvisible --name '^Preflight$' >/dev/null 2>&1; }
openbox >/dev/null 2>&1 &
printf "preflight-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
"$APP_BIN" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1 300); do mapped && break; sleep 0.1; done
sleep 20 # the watcher probes, the page settles
read -r r p n <<<"$(mem $pid)"; echo "open      RSS $r MiB  PSS $p MiB  ($n processes)"
wmctrl -c Preflight
for _ in $(seq 1 100); do mapped || break; sleep 0.1; done
sleep 10
# With preflight-tray installed beside the app, the app hands over and exits; else it stays.
tray=$(pgrep -f "$(dirname "$APP_BIN")/preflight-tray" | head -n 1 || true)
if kill -0 $pid 2>/dev/null; then watching=$pid; who="the app itself"; else watching=$tray; who="preflight-tray"; fi
[ -n "$watching" ] || { echo "nothing is watching after the window closed"; exit 1; }
read -r r p n <<<"$(mem $watching)"; echo "closed    RSS $r MiB  PSS $p MiB  ($n processes: $who, with the tray and 20 monitors running)"
for q in $(tree $watching); do
  [ -r /proc/$q/smaps_rollup ] && echo "          $(awk '/^Pss:/{printf "PSS %d MiB", $2/1024}' /proc/$q/smaps_rollup)  $(tr '\0' ' ' </proc/$q/cmdline | cut -c1-80)"
done
t0=$(date +%s%3N)
"$APP_BIN" >/dev/null 2>&1 &
second=$!
for _ in $(seq 1 300); do mapped && break; sleep 0.01; done
t1=$(date +%s%3N)
sleep 10
kill -0 $pid 2>/dev/null || pid=$second
read -r r p n <<<"$(mem $pid)"; echo "reopened  RSS $r MiB  PSS $p MiB  ($n processes)"
echo "reopen: $((t1 - t0)) ms from the launch to the window on screen"
echo "instances running: $(pgrep -c -f "$APP_BIN" || true) app, $(pgrep -c -f "$(dirname "$APP_BIN")/preflight-tray" || true) tray-only (one watcher at a time)"
kill $pid
INNER
APP_BIN="$app" dbus-run-session -- xvfb-run -a -s "-screen 0 1280x900x24" bash "$work/measure.sh"
