#!/usr/bin/env bash
# Sets up everything and starts the Preflight desktop app (with live-reloading UI).
set -euo pipefail
cd "$(dirname "$0")/.."

# A window needs a screen. Say so now, not after a 6-minute build ends in a GTK panic.
if [ "$(uname -s)" = Linux ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  cat >&2 <<'MSG'
app: there is no display here (neither DISPLAY nor WAYLAND_DISPLAY is set), so the Preflight window
cannot open. Run `npm run app` from a desktop session, or over SSH with X forwarding (ssh -X), or under
a virtual display: xvfb-run -a npm run app. Without a window, the same engine runs as a command:
  cargo run -p preflight-cli -- demo
MSG
  exit 2
fi

bash scripts/setup.sh build
exec npx tauri dev
