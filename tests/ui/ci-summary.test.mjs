// The Markdown summary `preflight ci` writes for a pull request, rendered as a code host renders
// it (GitHub-flavoured Markdown: tables, raw <details>) and shown in Chromium: a row per part, a
// section per part that ran, the problems as real table rows with their fixes, the evidence and
// the passes folded. The summary is the real engine's, against the sample product on loopback.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { marked } from "marked";
import { artifacts, cli, sampleProduct, startBrowser } from "./browser.mjs";

let ui, demo;

before(async () => {
  ui = await startBrowser();
  demo = await sampleProduct();
});

after(async () => {
  demo?.stop();
  await ui?.close();
});

test("the CI summary renders as tables and folded evidence, a row and a section per part", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pf-ci-"));
  const checkout = join(dir, "checkout");
  execFileSync("mkdir", ["-p", checkout]);
  writeFileSync(join(checkout, ".gitignore"), ".env*\n");
  const domain = "acme-chat.test"; // the sample product's domain (testbed::demo::DOMAIN)
  let code = 0;
  try {
    await promisify(execFile)(cli, ["ci", domain, "--checkout", checkout, "--out", join(dir, "out"), "--no-discover"], {
      env: { ...process.env, ...demo.env, PREFLIGHT_DATA_DIR: join(dir, "data") },
    });
  } catch (e) {
    code = e.code; // the sample product is not ready, which is the point
  }
  assert.equal(code, 1, "the sample product fails the gate");
  const md = readFileSync(join(dir, "out", "preflight.md"), "utf8");
  const html = marked.parse(md, { gfm: true });
  const page = await ui.browser.newPage({ viewport: { width: 1000, height: 1400 } });
  await page.setContent(`<!doctype html><meta charset="utf-8"><style>
    body { font: 14px/1.5 "DejaVu Sans", sans-serif; margin: 24px; color: #1f2328 }
    table { border-collapse: collapse; margin: 8px 0 } td, th { border: 1px solid #d0d7de; padding: 4px 8px; vertical-align: top }
    code { background: #eff1f3; padding: 0 3px } details { margin: 6px 0 }</style><body>${html}</body>`);

  assert.equal(await page.locator("h2").textContent(), `Preflight CI gate for ${domain}`);
  assert.match(await page.locator("h2 + p strong").textContent(), /^Not ready \(exit 1\)$/);
  const parts = page.locator("table").first().locator("tbody tr");
  assert.deepEqual(await parts.locator("td:first-child").allTextContents(), ["Audit", "Keys in the code", "Env file", "Customer paths", "Speed targets"]);
  assert.match(await parts.nth(2).locator("td").nth(1).textContent(), /^➖ Skipped: no env file was given/);
  assert.deepEqual(await page.locator("h3").allTextContents(), ["Audit", "Keys in the code"], "a section per part that ran");

  // The audit's problems: a real table whose every row has its five cells, each with a check id
  // and a fix; no line of the Markdown was left as text with pipes in it.
  const problems = page.locator("h4", { hasText: "Problems" }).first().locator("xpath=following-sibling::table[1]");
  const rows = problems.locator("tbody tr");
  assert.ok((await rows.count()) > 0, "the sample has problems");
  for (const row of await rows.all()) {
    assert.equal(await row.locator("td").count(), 5);
    assert.match(await row.locator("td").nth(1).textContent(), /^[a-z0-9_.]+$/);
  }
  const stray = await page.evaluate(() => [...document.querySelectorAll("p")].filter((p) => p.textContent.trim().startsWith("|")).length);
  assert.equal(stray, 0, "every table parsed as a table");

  // Evidence and passes are folded until opened.
  const evidence = page.locator("details", { hasText: "Evidence:" }).first();
  assert.equal(await evidence.locator("pre").isVisible(), false, "folded");
  await evidence.locator("summary").click();
  await evidence.locator("pre").waitFor({ state: "visible", timeout: 5000 });
  assert.match(await evidence.locator("pre").textContent(), /^\{/, "the evidence is the finding's JSON");
  const passes = page.locator("details", { hasText: "passed or not applicable" }).first();
  assert.equal(await passes.locator("table").isVisible(), false, "the passes are folded");

  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(artifacts, "ci-summary.png"), fullPage: false });
  await page.close();
});
