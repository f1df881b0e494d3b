# shellcheck shell=bash
# Sourced by the scripts that drive the real app: starts `preflight demo --serve` in the background
# and exports the PREFLIGHT_* variables that point the app at it.
# Usage: start_demo CLI WORK_DIR   (the caller's EXIT trap kills background jobs)
start_demo() {
  local cli=$1 work=$2
  "$cli" demo --serve --ca-out "$work/ca.pem" --settings-out "$work/sample.toml" --data-dir "$work/demo-data" >"$work/demo.out" 2>"$work/demo.err" </dev/null &
  # Its pid, for a test that takes the network away by stopping it.
  export PREFLIGHT_DEMO_PID=$!
  # Its settings (paths and a webhook), for a test that walks them.
  export PREFLIGHT_SAMPLE_SETTINGS="$work/sample.toml"
  for _ in $(seq 1 100); do grep -q '^PREFLIGHT_CONNECT_TO=' "$work/demo.out" 2>/dev/null && break; sleep 0.1; done
  grep -q '^PREFLIGHT_CONNECT_TO=' "$work/demo.out" || { cat "$work/demo.err"; echo "the sample product did not start"; return 1; }
  set -a
  # shellcheck disable=SC1090,SC1091
  source <(grep '^PREFLIGHT_' "$work/demo.out")
  set +a
}
