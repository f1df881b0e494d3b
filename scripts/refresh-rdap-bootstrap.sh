#!/usr/bin/env bash
# Replaces the bundled RDAP bootstrap file with IANA's current one, before a release.
#
# The audit's dns.registration check finds the registry of a domain's TLD in this file
# (RFC 9224's format). The copy in the repository covers the registries founders use most;
# a release ships IANA's full file. Run from the repository root on a machine that can reach
# data.iana.org, check the diff, and commit it with the release.
set -euo pipefail
out=src-tauri/crates/core/data/rdap-dns.json
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
curl --fail --silent --show-error --max-time 30 --max-filesize 2000000 https://data.iana.org/rdap/dns.json -o "$tmp"
# Refuse anything that is not the bootstrap format, so a captive portal's page never ships.
node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); if(!Array.isArray(d.services)||d.services.length<100) process.exit(1)' "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "updated $out: $(grep -c 'https://' "$out") registry addresses"
