#!/usr/bin/env bash
# Fuzzes the mail-record parsers (SPF, DMARC, DKIM) with cargo-fuzz / libFuzzer, on demand (not in CI).
# Installs cargo-fuzz into ~/.cache/preflight/tools when missing. Prints each target's executions.
# Usage: scripts/fuzz.sh [seconds per target, default 60]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
tools="$HOME/.cache/preflight/tools"
[ -x "$tools/bin/cargo-fuzz" ] || cargo install cargo-fuzz --root "$tools"
export PATH="$tools/bin:$PATH"
# libFuzzer needs -Z sanitizer flags: a nightly compiler, or this stable one allowed to accept them.
export RUSTC_BOOTSTRAP=1
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/preflight/fuzz-target}"
for t in spf_parse dmarc_parse dkim_parse; do
  echo "== $t ($secs s)"
  cargo fuzz run "$t" -- -max_total_time="$secs" -max_len=4096 2>&1 | grep -aE "^#[0-9]+ *DONE|Done [0-9]+ runs|ERROR|panicked|SUMMARY" || true
done
