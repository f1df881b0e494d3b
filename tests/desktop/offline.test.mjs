// The real window with the network gone: run.sh stops the sample product (its DNS server and web
// servers) before this file runs, so every name the app knows fails to resolve. The launch
// checklist still opens from the history, a stage is walked by ticking its items with notes, and
// the handover document is exported and holds what was written. A secrets scan of a repository the
// test makes shows its planted key masked, and the key is found in no file of the app's data.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { execFileSync } from "node:child_process";
import { app, launch, paintedPixels, screen } from "./harness.mjs";

test("with the network gone, the founder walks the handover stage and exports the handover document", async () => {
  assert.ok(app, "PREFLIGHT_APP names the built app (tests/desktop/run.sh sets it)");
  assert.ok(process.env.PREFLIGHT_EXPORT_DIR, "run.sh sets PREFLIGHT_EXPORT_DIR");
  const w = await launch();
  try {
    const nav = await w.$("button=Checklist");
    await nav.waitForExist({ timeout: 20000 });
    await nav.click();
    const list = await w.$('[data-testid="checklist"]');
    await list.waitForExist({ timeout: 20000 });
    assert.match(await (await w.$('[data-testid="readiness"]')).getText(), /\d+% ready/);

    // Stage 7 holds only what the founder can tell: tick every item, each with a note.
    const steps = await w.$$('[data-testid="stage-step"]');
    assert.equal(steps.length, 7);
    await steps[6].click();
    const notes = {
      "handover.owners": "Hosting (Vercel): Sam. DNS (Cloudflare): Sam. Email (Resend): Ada.",
      "handover.contacts": "Vercel support: vercel.com/help, team id team_42. Registrar: Namecheap live chat.",
      "handover.recovery": "Ada rolled back release v41 on staging on 25 November; it took 4 minutes.",
      "handover.document": "Saved in the company drive, folder Operations.",
    };
    for (const [id, note] of Object.entries(notes)) {
      const item = await w.$(`[data-testid="item"][data-id="${id}"]`);
      await (await item.$("button.head")).click();
      const box = await item.$("textarea");
      await box.waitForExist({ timeout: 5000 });
      await box.setValue(note);
      await (await item.$("button=Mark as done")).click();
      await (await w.$(`[data-testid="item"][data-id="${id}"][data-state="done"]`)).waitForExist({ timeout: 10000 });
    }
    const stage = await w.$('[data-testid="stage"][data-stage="7"]');
    assert.match(await stage.getText(), /4 of 4 done/, "the stage is walked to the end");
    const step = await (await w.$$('[data-testid="stage-step"]'))[6].getText();
    assert.match(step, /100%/);

    await (await w.$("button=Export handover")).click();
    const saved = await w.$('[data-testid="export-path"]');
    await saved.waitForExist({ timeout: 20000 });
    const path = (await saved.getText()).replace(/^Saved to /, "").trim();
    assert.ok(path.startsWith(process.env.PREFLIGHT_EXPORT_DIR), `exported into the export folder: ${path}`);
    assert.ok(existsSync(path), `the handover file exists: ${path}`);
    const doc = readFileSync(path, "utf8");
    assert.match(doc, /^# Handover: acme-chat\.test/m);
    for (const section of ["Owners and emergency contacts", "Certificates", "Email authentication", "What to watch in week one"]) {
      assert.ok(doc.includes(`## ${section}`), `the handover has "${section}"`);
    }
    assert.ok(doc.includes(notes["handover.owners"]), "the founder's notes reach the document");
    assert.match(doc, /Monitoring and alerts[\s\S]*API/, "the monitor added in the window is listed");

    // The person's view: the stage painted, its items in the done colour.
    const green = await paintedPixels("desktop-checklist-offline.png", "#15703f", 100);
    assert.ok(green >= 100, `the screenshot shows the done items (${green} pixels of the done colour)`);
  } finally {
    await w.deleteSession();
  }
});

test("a folder's leaked key is shown masked, and never reaches the logs or the history", async () => {
  const KEY = "sk-proj-Zq3vN8kR2mX7pL4tB9wC6yH1dF5gJ0sAeUiOoPqWrTyUz";
  const repo = mkdtempSync(join(tmpdir(), "pf-desktop-repo-"));
  const git = (...args) => execFileSync("git", ["-c", "user.name=Ada", "-c", "user.email=ada@acme.example", "-c", "commit.gpgsign=false", ...args], { cwd: repo });
  git("init", "-q");
  writeFileSync(join(repo, "ai.ts"), `const openai = new OpenAI({ apiKey: "${KEY}" });\n`);
  git("add", "-A");
  git("commit", "-qm", "one");
  const w = await launch();
  try {
    const nav = await w.$("button=Secrets");
    await nav.waitForExist({ timeout: 20000 });
    await nav.click();
    await (await w.$("#repo-folder")).setValue(repo);
    await (await w.$("button=Scan for keys")).click();
    const result = await w.$('[data-testid="secrets-result"]');
    await result.waitForExist({ timeout: 30000 });
    const text = await result.getText();
    assert.match(text, /ai\.ts holds an OpenAI API key \(sk-p…Uz, in apiKey\)/);
    assert.match(text, /platform\.openai\.com/, "how to rotate it");
    assert.ok(!(await w.getPageSource()).includes(KEY), "the window never receives the full key");
    screen("desktop-secrets.png");
  } finally {
    await w.deleteSession();
  }
  // The app's logs and its history database (saved to the product's checklist) hold no full key.
  const data = process.env.PREFLIGHT_DATA_DIR;
  const files = [...readdirSync(data).map((f) => join(data, f)), ...(existsSync(join(data, "logs")) ? readdirSync(join(data, "logs")).map((f) => join(data, "logs", f)) : [])];
  let read = 0;
  for (const f of files) {
    if (!statSync(f).isFile()) continue;
    read += 1;
    assert.ok(!readFileSync(f).includes(KEY), `${f} holds the full key`);
  }
  assert.ok(read >= 2, "the database and a log file were read");
});

test("with the network gone, measuring says it could not measure, never that the product is slow or failing", async () => {
  const w = await launch();
  try {
    const nav = await w.$("button=Speed");
    await nav.waitForExist({ timeout: 20000 });
    await nav.click();
    // The window test measured this page while the product was up: that card comes back from the history.
    const stored = await w.$('[data-testid="latency-card"][data-verdict="fast_enough"]');
    await stored.waitForExist({ timeout: 20000 });
    await (await stored.$("button=Measure again")).click();
    const card = await w.$('[data-testid="latency-card"][data-verdict="unknown"]');
    await card.waitForExist({ timeout: 60000 });
    const text = await card.getText();
    assert.match(text, /Couldn't measure/);
    assert.match(text, /could not be measured: no request got an answer \(DNS lookup of app\.acme-chat\.test failed/, "a name that cannot be looked up ends it at once");
    assert.doesNotMatch(text, /too slow|failing/i);

    // The checklist's speed item reads that run: it could not check, so it is neither done nor failed.
    await (await w.$("button=Checklist")).click();
    await (await w.$('[data-testid="checklist"]')).waitForExist({ timeout: 20000 });
    await (await w.$$('[data-testid="stage-step"]'))[4].click();
    const item = await w.$('[data-testid="item"][data-id="speed.p95"]');
    await item.waitForExist({ timeout: 20000 });
    assert.notEqual(await item.getAttribute("data-state"), "not_done");
    assert.notEqual(await item.getAttribute("data-state"), "done");
    screen("desktop-speed-offline.png");
  } finally {
    await w.deleteSession();
  }
});
