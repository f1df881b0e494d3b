// The peer of `cargo bench -p preflight-watch --bench watcher`: the monitoring loop of a Node
// uptime server (Uptime Kuma's runtime: one timer per monitor, Node's own HTTPS client with its
// default keep-alive agent), with nothing else of the server. It probes the same testbed site as
// Preflight, the same number of times, and reports its own CPU time and peak RSS as JSON.
import https from "node:https";
import { readFileSync } from "node:fs";

const monitors = Number(process.env.MONITORS);
const intervalMs = Number(process.env.INTERVAL_MS);
const runMs = Number(process.env.RUN_MS);
const port = Number(process.env.HTTPS_PORT);
const host = process.env.HOST_NAME;
const ca = readFileSync(process.env.CA_FILE);
const lookup = (_name, opts, cb) => (opts && opts.all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4));

let probes = 0;
let failures = 0;
function probe(i) {
  const req = https.get({ host, port, path: `/?m=${i}`, ca, lookup, timeout: 10000 }, (res) => {
    res.resume();
    res.on("end", () => {
      probes++;
      if (res.statusCode >= 400) failures++;
    });
  });
  req.on("error", () => {
    probes++;
    failures++;
  });
}

const timers = [];
for (let i = 0; i < monitors; i++) {
  // Spread the starts over the first interval, as Preflight does.
  const start = Math.floor((i / monitors) * intervalMs);
  timers.push(setTimeout(() => {
    probe(i);
    timers.push(setInterval(() => probe(i), intervalMs));
  }, start));
}
setTimeout(() => {
  timers.forEach((t) => clearTimeout(t));
  const cpu = process.cpuUsage();
  const usage = process.resourceUsage();
  console.log(JSON.stringify({ cpu_ms: Math.round((cpu.user + cpu.system) / 1000), peak_rss_kib: usage.maxRSS, probes, failures }));
  process.exit(0);
}, runMs);
