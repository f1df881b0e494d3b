#!/usr/bin/env bash
# Run by run.sh inside its D-Bus session and X server, after the window tests, on the same history
# (which holds the monitor the window added): the tray-only process takes the watcher over
# (tray.pid), records probes into the history, and stops cleanly on SIGTERM, as the app asks it to.
set -euo pipefail
: "${TRAY_BIN:?}" "${CLI_BIN:?}" "${PREFLIGHT_DATA_DIR:?}"
probes() {
  "$CLI_BIN" monitors --format json | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () =>
      console.log(JSON.parse(s).monitors.reduce((n, m) => n + m.day.probes, 0)));'
}
pidfile="$PREFLIGHT_DATA_DIR/tray.pid"
# The app may have handed over when its last window closed: stop that one first, as the app would.
if [ -f "$pidfile" ]; then
  old=$(cat "$pidfile")
  kill -TERM "$old" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.1; done
fi
before=$(probes)
"$TRAY_BIN" >"$PREFLIGHT_DATA_DIR/tray.log" 2>&1 &
tray=$!
for _ in $(seq 1 100); do [ -f "$pidfile" ] && break; sleep 0.1; done
[ -f "$pidfile" ] || { echo "tray-only: no tray.pid"; cat "$PREFLIGHT_DATA_DIR/tray.log"; exit 1; }
[ "$(cat "$pidfile")" = "$tray" ] || { echo "tray-only: tray.pid names another process"; exit 1; }
# A second tray on the same data folder finds the lock held and leaves at once, touching nothing.
second=$(timeout 20 "$TRAY_BIN" 2>&1) || { echo "tray-only: a second tray did not leave cleanly: $second"; exit 1; }
case "$second" in *"already watching"*) ;; *) echo "tray-only: a second tray did not say why it left: $second"; exit 1 ;; esac
[ "$(cat "$pidfile")" = "$tray" ] || { echo "tray-only: the second tray touched tray.pid"; exit 1; }
for _ in $(seq 1 300); do [ "$(probes)" -gt "$before" ] && break; sleep 0.1; done
after=$(probes)
[ "$after" -gt "$before" ] || { echo "tray-only: no probe was recorded in 30 s"; cat "$PREFLIGHT_DATA_DIR/tray.log"; exit 1; }
kill -TERM "$tray"
code=0
wait "$tray" || code=$?
[ "$code" -eq 0 ] || { echo "tray-only: exit $code on SIGTERM"; exit 1; }
[ ! -f "$pidfile" ] || { echo "tray-only: tray.pid left behind"; exit 1; }
echo "tray-only process: took the watcher, kept a second tray out, recorded $((after - before)) probes, stopped cleanly on SIGTERM"
