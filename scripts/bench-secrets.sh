#!/usr/bin/env bash
# Secret-scan benchmark: Preflight against trufflehog3 on one generated repository (5,000 commits,
# 20,000 files, 45 planted keys), in one run. Installs trufflehog3 into a throwaway venv in the cache
# folder the first time. Not part of npm test: it takes minutes (trufflehog3 reads every diff).
# Usage: scripts/bench-secrets.sh      (BENCH_COMMITS, BENCH_FILES override the size)
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${PREFLIGHT_BENCH_CACHE:-$HOME/.cache/preflight/bench}"
mkdir -p "$cache"
venv="$cache/trufflehog3-venv"
if [ ! -x "$venv/bin/trufflehog3" ]; then
  echo "installing trufflehog3 3.0.10 into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q trufflehog3==3.0.10
fi
command -v git >/dev/null || { echo "the benchmark generates its repository with git: install git"; exit 1; }
echo "machine: $(nproc) cores; trufflehog3 $("$venv/bin/trufflehog3" --version 2>&1 | tail -1)"
TRUFFLEHOG3="$venv/bin/trufflehog3" BENCH_DIR="$cache/secrets" cargo bench -q -p preflight-secrets --bench history
