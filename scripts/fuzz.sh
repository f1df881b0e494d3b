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
# A target that crashes (a panic, an overflow, a timeout) makes this script fail with its name and
# the input libFuzzer saved; the summary lines of every target are printed either way.
failed=()
for t in spf_parse dmarc_parse dkim_parse; do
  echo "== $t ($secs s)"
  log=$(mktemp)
  code=0
  cargo fuzz run "$t" -- -max_total_time="$secs" -max_len=4096 >"$log" 2>&1 || code=$?
  grep -aE "^#[0-9]+ *DONE|Done [0-9]+ runs|ERROR|panicked|SUMMARY|Test unit written to" "$log" || true
  if [ "$code" -ne 0 ] || grep -aqE "^==[0-9]+== ERROR|panicked at|deadly signal" "$log"; then
    failed+=("$t")
    echo "!! $t found a crash (exit $code); the full log is $log"
  else
    rm -f "$log"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: no crash in any target"
