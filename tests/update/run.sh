#!/usr/bin/env bash
# The app updates itself without losing anything, end to end, with the real .deb and the real
# updater: builds version N and version N+1 (N+1 with one more database migration) signed with a
# throwaway key, installs N with dpkg, writes history and settings with it, then serves a signed
# manifest and N+1 from a local server and lets N's own updater (`preflight-desktop --update`) fetch,
# verify and install it. A changed package and a manifest signed by another key are refused first,
# leaving N installed. After the update: N+1 installed, the history and settings as they were, the
# history migrated. Run as root (dpkg); `npm test` runs it in its desktop phase.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target="${CARGO_TARGET_DIR:-$root/target}"
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  dpkg -r preflight >/dev/null 2>&1 || true
  rm -rf "$work" src-tauri/gen/bin
}
trap cleanup EXIT
say() { printf -- '--- %s\n' "$*"; }

say "a throwaway update-signing key (a release signs with its own)"
npx tauri signer generate --ci -p "" -w "$work/key" >/dev/null
npx tauri signer generate --ci -p "" -w "$work/other-key" >/dev/null
TAURI_SIGNING_PRIVATE_KEY=$(cat "$work/key")
export TAURI_SIGNING_PRIVATE_KEY TAURI_SIGNING_PRIVATE_KEY_PASSWORD=""
pubkey=$(cat "$work/key.pub")
current=$(sed -n '/^\[workspace.package\]/,/^\[/s/^version = "\(.*\)"/\1/p' Cargo.toml)
next="${current%.*}.$((${current##*.} + 1))"

config() { # VERSION FILE: the build's updater settings (plain http: the server is this machine's)
  node -e 'const [v, k, f] = process.argv.slice(1); require("fs").writeFileSync(f, JSON.stringify({ version: v,
    bundle: { createUpdaterArtifacts: true },
    plugins: { updater: { pubkey: k, endpoints: [], dangerousInsecureTransportProtocol: true } } }))' "$1" "$pubkey" "$2"
}
build() { # VERSION OUT_DIR [FEATURES]
  config "$1" "$work/conf-$1.json"
  local features=()
  [ -n "${3:-}" ] && features=(--features "$3")
  PREFLIGHT_STAGE_FEATURES="${3:+preflight-store/$3}" npx tauri build --debug --bundles deb --ci --config "$work/conf-$1.json" "${features[@]}"
  mkdir -p "$2"
  cp "$target"/debug/bundle/deb/Preflight_"$1"_*.deb "$2"/
  cp "$target"/debug/bundle/deb/Preflight_"$1"_*.deb.sig "$2"/
}

say "building version $current"
started=$SECONDS
build "$current" "$work/n"
say "building version $next, with one more migration"
build "$next" "$work/n1" update-test
say "built both in $((SECONDS - started))s"
deb_n=$(ls "$work"/n/*.deb)
deb_n1=$(ls "$work"/n1/*.deb)

say "installing $current and writing history and settings with it"
dpkg -i "$deb_n" >/dev/null
[ "$(dpkg-query -W -f='${Version}' preflight)" = "$current" ]
export PREFLIGHT_DATA_DIR="$work/data"
/usr/bin/preflight demo --format json >/dev/null
cat >"$work/acme.toml" <<'TOML'
domain = "acme-update.example"
names = ["www", "app"]
TOML
/usr/bin/preflight settings import acme-update.example "$work/acme.toml" >/dev/null
/usr/bin/preflight history --format json >"$work/history-before.json"
settings_file="$PREFLIGHT_DATA_DIR/products/acme-update.example.toml"
settings_before=$(sha256sum "$settings_file" | cut -d' ' -f1)
db="$PREFLIGHT_DATA_DIR/preflight.sqlite3"
version_before=$(sqlite3 "$db" 'PRAGMA user_version')

say "serving the manifests and packages on loopback"
www="$work/www"
mkdir -p "$www/good" "$www/changed" "$www/other-key"
cp "$deb_n1" "$www/good/"
# A changed package: one byte of the real one flipped, served with the real one's signature.
cp "$deb_n1" "$www/changed/"
changed="$www/changed/$(basename "$deb_n1")"
size=$(stat -c %s "$changed")
printf '\x00' | dd of="$changed" bs=1 seek=$((size - 100)) conv=notrunc status=none
# A manifest signed by someone else's key, for the changed package.
env -u TAURI_SIGNING_PRIVATE_KEY -u TAURI_SIGNING_PRIVATE_KEY_PASSWORD npx tauri signer sign -f "$work/other-key" -p "" "$changed" >/dev/null
cp "$changed" "$www/other-key/"
# The server says its port on its first line; reading that line is waiting for it to listen.
exec {server_out}< <(node -e '
  const http = require("http"), fs = require("fs"), path = require("path");
  const root = process.argv[1];
  const server = http.createServer((req, res) => {
    const file = path.join(root, decodeURIComponent(req.url.split("?")[0]));
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) { res.writeHead(404); return res.end(); }
    res.writeHead(200); fs.createReadStream(file).pipe(res);
  });
  server.listen(0, "127.0.0.1", () => console.log(server.address().port));' "$www")
server_pid=$!
read -r -t 20 port <&"$server_out" || { echo "the local update server did not start"; exit 1; }
base="http://127.0.0.1:$port"
manifest() { # DIR SIGNATURE_FILE
  node -e 'const [dir, sig, base, v] = process.argv.slice(1); const fs = require("fs");
    const deb = fs.readdirSync(dir).find((f) => f.endsWith(".deb"));
    fs.writeFileSync(dir + "/latest.json", JSON.stringify({ version: v, notes: "Faster audits.\nA new table in the history.",
      pub_date: "2026-12-06T00:00:00Z", platforms: { "linux-x86_64-deb": { signature: fs.readFileSync(sig, "utf8").trim(),
      url: base + "/" + require("path").basename(dir) + "/" + deb } } }))' "$1" "$2" "$base" "$next"
}
manifest "$www/good" "$deb_n1.sig"
manifest "$www/changed" "$deb_n1.sig"
manifest "$www/other-key" "$changed.sig"

update() { # MANIFEST_DIR: runs N's updater, answering yes; prints its output, returns its exit code
  PREFLIGHT_UPDATE_URL="$base/$1/latest.json" dbus-run-session -- xvfb-run -a \
    /usr/bin/preflight-desktop --update <<<"y" 2>&1
}

for bad in changed other-key; do
  say "a $bad package is refused"
  if out=$(update "$bad"); then
    echo "$out"
    echo "the $bad package was installed"
    exit 1
  fi
  reason=$(grep "was not installed, and nothing changed" <<<"$out") || { echo "$out"; exit 1; }
  echo "$reason"
  grep -qi "signature" <<<"$reason" || { echo "refused, but not for its signature"; exit 1; }
  [ "$(dpkg-query -W -f='${Version}' preflight)" = "$current" ] || { echo "the installed version changed"; exit 1; }
done

say "the signed package is installed"
out=$(update good) || { echo "$out"; exit 1; }
echo "$out"
grep -q "Preflight $next is available (this is $current)" <<<"$out"
grep -q "Faster audits." <<<"$out"
[ "$(dpkg-query -W -f='${Version}' preflight)" = "$next" ] || { echo "not updated"; exit 1; }

say "history and settings are intact, and the history is migrated"
/usr/bin/preflight history --format json >"$work/history-after.json"
cmp -s "$work/history-before.json" "$work/history-after.json" || { diff "$work/history-before.json" "$work/history-after.json"; exit 1; }
[ "$(sha256sum "$settings_file" | cut -d' ' -f1)" = "$settings_before" ] || { echo "the settings changed"; exit 1; }
version_after=$(sqlite3 "$db" 'PRAGMA user_version')
[ "$version_after" -eq $((version_before + 1)) ] || { echo "schema $version_before -> $version_after"; exit 1; }
[ "$(sqlite3 "$db" 'SELECT note FROM update_probe')" = "migrated by the next release" ]
say "updated $current -> $next: $(jq length "$work/history-after.json") runs kept, schema $version_before -> $version_after"
