// What every browser test file shares: the built UI served from loopback, Debian's Chromium, and a
// page opened with the Tauri IPC stand-in (ipc-mock.js) and the file's own command answers.
import assert from "node:assert/strict";
import { chromium } from "playwright-core";
import { createServer } from "node:http";
import { readFileSync, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join, extname } from "node:path";

export const root = new URL("../../", import.meta.url).pathname;
export const dist = join(root, "ui/dist");
export const artifacts = join(root, "tests/artifacts");
export const targetDir = process.env.CARGO_TARGET_DIR || join(root, "target");
export const cli = join(targetDir, "debug/preflight");
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".svg": "image/svg+xml" };

/** Serves ui/dist on a loopback port and starts Chromium; `close()` ends both. */
export async function startBrowser() {
  assert.ok(existsSync(join(dist, "index.html")), "build the UI first: npm run ui:build");
  assert.ok(existsSync(cli), `build the CLI first (cargo build -p preflight-cli): ${cli} is missing`);
  mkdirSync(artifacts, { recursive: true });
  const server = createServer((req, res) => {
    const path = req.url === "/" ? "/index.html" : decodeURIComponent(req.url.split("?")[0]);
    const file = join(dist, path);
    if (!file.startsWith(dist) || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const base = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  return {
    browser,
    base,
    async close() {
      await browser.close();
      server.close();
    },
  };
}

/**
 * Opens the UI with the IPC stand-in; each `init` is [function, argument] run in the page before
 * it loads. `scheme` is the colour scheme the page is shown in.
 */
export async function openPage({ browser, base }, inits, { scheme = "light", expose = {} } = {}) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 }, colorScheme: scheme });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  for (const [name, fn] of Object.entries(expose)) await page.exposeFunction(name, fn);
  await page.addInitScript({ path: new URL("./ipc-mock.js", import.meta.url).pathname });
  for (const [fn, arg] of inits) await page.addInitScript(fn, arg);
  await page.goto(base);
  return { page, errors };
}

/** `preflight demo --serve`: the sample product on loopback, and the PREFLIGHT_* variables that
 * point the engine at it. */
export async function sampleProduct() {
  const dir = mkdtempSync(join(tmpdir(), "pf-demo-"));
  const child = spawn(cli, ["demo", "--serve", "--ca-out", join(dir, "ca.pem"), "--data-dir", join(dir, "data")], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const env = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the sample product did not start: ${out}`)), 20000);
    child.stdout.on("data", (d) => {
      out += d;
      if (/^PREFLIGHT_CONNECT_TO=.*\n/m.test(out)) {
        clearTimeout(timer);
        resolve(Object.fromEntries(out.split("\n").filter((l) => l.startsWith("PREFLIGHT_")).map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)])));
      }
    });
    child.on("exit", () => reject(new Error(`the sample product stopped: ${out}`)));
  });
  return { env, stop: () => child.kill() };
}
