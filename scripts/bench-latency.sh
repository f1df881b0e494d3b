#!/usr/bin/env bash
# Latency benchmark: Preflight's load generator against oha on the same testbed endpoint, in one
# run: p95 at a fixed corrected rate, and the highest sustained rate on 2 cores. Installs oha with
# cargo into the cache folder the first time (its build takes several minutes). Not part of npm test.
# Usage: scripts/bench-latency.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${PREFLIGHT_BENCH_CACHE:-$HOME/.cache/preflight/bench}"
if [ ! -x "$cache/oha/bin/oha" ]; then
  echo "installing oha into $cache/oha (several minutes, once)"
  CARGO_TARGET_DIR="$cache/oha-target" cargo install oha --locked --root "$cache/oha"
fi
echo "machine: $(nproc) cores; $("$cache/oha/bin/oha" --version)"
OHA="$cache/oha/bin/oha" cargo bench -q -p preflight-latency --bench oha
