#!/usr/bin/env bash
# Sets up and runs every test of Preflight: lint and types, Rust unit and integration tests (real
# loopback servers, real SQLite, the real Secret Service), UI component tests, browser tests with
# mocked IPC, the .deb bundle, and the real window driven over WebDriver under Xvfb.
# Usage: scripts/test.sh            everything
#        SKIP_DESKTOP=1 scripts/test.sh   everything but the bundle and the real window
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never NO_COLOR=1

started=$SECONDS
phase() { printf '\n=== %s (at %ds)\n' "$1" $((SECONDS - started)); }

phase "setup"
bash scripts/setup.sh test

phase "format, lints and types"
cargo fmt --all --check
cargo clippy --workspace --all-targets --locked -- -D warnings
npm run --silent ui:check
shellcheck scripts/*.sh scripts/action/*.sh

phase "UI component tests"
npm run --silent ui:test

phase "UI build"
npm run --silent ui:build

phase "Rust tests (under a private D-Bus session with an unlocked keyring)"
# The vault's tests use the real Secret Service; a keyring of our own keeps the user's untouched.
export XDG_DATA_HOME="${XDG_DATA_HOME_FOR_TESTS:-$(mktemp -d)}"
dbus-run-session -- bash -c '
  set -euo pipefail
  printf "preflight-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  PREFLIGHT_REQUIRE_KEYCHAIN=1 cargo test --workspace --locked --no-fail-fast
'

phase "the watcher on a server: the systemd unit, the container image and its outage scenario"
bash tests/server/run.sh

phase "our own code holds no key (the keys in tests and rule examples are fakes, accepted in .preflight-baseline.json)"
"${CARGO_TARGET_DIR:-target}/debug/preflight" secrets scan . --baseline .preflight-baseline.json --format text >/dev/null \
  || { "${CARGO_TARGET_DIR:-target}/debug/preflight" secrets scan . --baseline .preflight-baseline.json; exit 1; }

phase "browser tests (Chromium, Tauri IPC mocked; the settings view's keys go to a keyring of their own)"
dbus-run-session -- bash -c '
  set -euo pipefail
  printf "preflight-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  npm run --silent e2e:ui
'

if [ -z "${SKIP_DESKTOP:-}" ]; then
  phase "desktop bundles (.deb, .rpm) and the real window over WebDriver"
  npm run --silent e2e:desktop

  phase "the app updates itself: .deb N to N+1 with a new migration, signed; a changed package refused"
  bash tests/update/run.sh
fi

phase "done in $((SECONDS - started))s"
