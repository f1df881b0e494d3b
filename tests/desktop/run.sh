#!/usr/bin/env bash
# The real desktop app, end to end: builds the debug bundle (.deb + the app binary with the UI
# embedded), checks the .deb, starts the sample product on loopback, then drives the real window
# over WebDriver (tauri-driver + WebKitWebDriver) under Xvfb, inside a private D-Bus session with
# an unlocked keyring and a notification daemon. Screenshots land in tests/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target="${CARGO_TARGET_DIR:-$root/target}"
artifacts="$root/tests/artifacts"
mkdir -p "$artifacts"

command -v tauri-driver >/dev/null || cargo install tauri-driver --version 2.0.6 --locked

echo "--- building the debug app, its .deb and its .rpm"
build_start=$SECONDS
npx tauri build --debug --bundles deb,rpm --ci
echo "built in $((SECONDS - build_start))s"
app="$target/debug/preflight-desktop"
deb=$(ls -t "$target"/debug/bundle/deb/*.deb | head -n 1)

echo "--- checking the .deb"
# Captured first: with pipefail, `dpkg-deb | grep -q` fails whenever grep exits before dpkg-deb
# has written everything (SIGPIPE), which made this check pass or fail by timing.
info=$(dpkg-deb --info "$deb")
grep -q "Package: preflight" <<<"$info" || { echo "the .deb has no package name"; exit 1; }
contents=$(dpkg-deb --contents "$deb")
for want in usr/bin/preflight-desktop usr/bin/preflight usr/bin/preflight-tray usr/share/applications/Preflight.desktop usr/share/icons/hicolor/128x128/apps/preflight-desktop.png; do
  grep -q "$want" <<<"$contents" || { echo "the .deb lacks $want"; exit 1; }
done
echo "deb ok: $(basename "$deb") $(du -h "$deb" | cut -f1)"
rpm_file=$(ls -t "$target"/debug/bundle/rpm/*.rpm | head -n 1)
rpm_files=$(rpm -qpl "$rpm_file" 2>/dev/null)
for want in /usr/bin/preflight-desktop /usr/bin/preflight /usr/bin/preflight-tray /usr/share/applications/Preflight.desktop; do
  grep -qx "$want" <<<"$rpm_files" || { echo "the .rpm lacks $want"; exit 1; }
done
echo "rpm ok: $(basename "$rpm_file") $(du -h "$rpm_file" | cut -f1)"

work=$(mktemp -d)
trap 'cp "$work"/driver.log "$work"/demo.err "$artifacts"/ 2>/dev/null || true; rm -rf "$artifacts/desktop-logs"; cp -r "$work/app-data/logs" "$artifacts/desktop-logs" 2>/dev/null || true; kill $(jobs -p) 2>/dev/null || true; pkill -f "$target/debug/preflight-tray" 2>/dev/null || true; rm -rf "$work"' EXIT

echo "--- starting the sample product on loopback"
# shellcheck source=scripts/demo-env.sh
source "$root/scripts/demo-env.sh"
start_demo "$target/debug/preflight" "$work"
export PREFLIGHT_DATA_DIR="$work/app-data" PREFLIGHT_APP="$app" PREFLIGHT_ARTIFACTS="$artifacts"
export PREFLIGHT_EXPORT_DIR="$work/exports"
export TRAY_BIN="$target/debug/preflight-tray" CLI_BIN="$target/debug/preflight"
# What proves "this computer is online" for the watcher: the sample product's healthy app, on loopback.
export PREFLIGHT_WATCH_REFERENCES="https://app.acme-chat.test/"
export XDG_DATA_HOME="$work/xdg"
# "Start at login" writes ~/.config/autostart/Preflight.desktop (auto-launch reads HOME, not
# XDG_CONFIG_HOME): the app runs with a home of its own, never touching the developer's.
mkdir -p "$work/home"
export PREFLIGHT_TEST_HOME="$work/home"
# Xvfb has no GPU: WebKitGTK's accelerated compositing and DMA-BUF renderer then leave the window
# unpainted in screenshots (the DOM is fine, the pixels are not). Software painting shows the truth.
export WEBKIT_DISABLE_COMPOSITING_MODE=1 WEBKIT_DISABLE_DMABUF_RENDERER=1

echo "--- driving the real window"
HOME="$PREFLIGHT_TEST_HOME" dbus-run-session -- xvfb-run -a -s "-screen 0 1280x900x24" bash -c '
  set -euo pipefail
  printf "preflight-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  dunst >/dev/null 2>&1 &
  dbus-monitor "interface='"'"'org.freedesktop.Notifications'"'"'" >"'"$work"'/notifications.log" 2>&1 &
  tauri-driver --port 4444 --native-port 4445 >"'"$work"'/driver.log" 2>&1 &
  for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/4444) 2>/dev/null && break; sleep 0.1; done
  node --test tests/desktop/window.test.mjs
  node --test tests/desktop/paths.test.mjs
  bash tests/desktop/tray-only.sh
  # Take the network away: stop the sample product (its DNS and web servers), and prove it is gone.
  kill -TERM "$PREFLIGHT_DEMO_PID"
  # Gone, or a zombie its parent (this script, busy here) has not reaped yet.
  gone() { case "$(ps -o stat= -p "$PREFLIGHT_DEMO_PID" 2>/dev/null)" in "" | Z*) return 0 ;; *) return 1 ;; esac; }
  for _ in $(seq 1 50); do gone && break; sleep 0.1; done
  gone || { echo "the sample product did not stop"; exit 1; }
  node --test tests/desktop/offline.test.mjs
  # The notification is sent when the audit ends; give dbus-monitor up to 10 s to have logged it.
  for _ in $(seq 1 100); do grep -q "acme-chat.test: 2 problems found" "'"$work"'/notifications.log" && grep -q "API is down" "'"$work"'/notifications.log" && grep -q "paths broke" "'"$work"'/notifications.log" && break; sleep 0.1; done
  kill %1 %2 %3 2>/dev/null || true
'
grep -q "acme-chat.test: 2 problems found" "$work/notifications.log" \
  || { echo "no desktop notification was sent for the audit with problems"; tail -20 "$work/notifications.log"; exit 1; }
grep -q "API is down" "$work/notifications.log" \
  || { echo "no desktop notification was sent when the monitor went DOWN"; tail -20 "$work/notifications.log"; exit 1; }
grep -q "Deploy of acme-chat.test at .*: 1 of 4 paths broke" "$work/notifications.log" \
  || { echo "no desktop notification was sent for the paths run after the deploy"; tail -20 "$work/notifications.log"; exit 1; }
grep -q "step 2 (Send a message) answered with error 500" "$work/notifications.log" \
  || { echo "the deploy notification does not name the failing step"; grep -A3 "paths broke" "$work/notifications.log"; exit 1; }
echo "notifications seen on the session bus: the audit's problems, the monitor going DOWN, and the deploy that broke a path at its step"
echo "log lines the app wrote for two launches and one audit: $(cat "$work"/app-data/logs/*.log 2>/dev/null | wc -l)"
