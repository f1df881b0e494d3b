#!/usr/bin/env bash
# Sets up everything and starts the Preflight desktop app (with live-reloading UI).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh build
exec npx tauri dev
