// The real Preflight window over WebDriver: type the demo product's domain, audit it through
// the real engine (pointed at loopback by PREFLIGHT_*), read the findings, restart, find it in History.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { app, distinctColors, launch, paintedPixels, pixels, screen } from "./harness.mjs";

// The screenshot must show the painted findings, not a blank page with the DOM behind it.
// Polls (with a deadline) because the compositor may paint a frame after the DOM is ready.
async function assertPaintedProblems(name) {
  const deadline = Date.now() + 10000;
  let path, red, colors;
  do {
    path = screen(name);
    red = pixels(path, "#c5221f"); // --fail: the verdict text and the problem cards' left border
    colors = distinctColors(path);
    if (red >= 200 && colors >= 50) return;
    await new Promise((r) => setTimeout(r, 250));
  } while (Date.now() < deadline);
  assert.fail(`${name} does not show the findings: ${red} pixels of the problem colour, ${colors} distinct colours`);
}

// Typed into the settings view's key box: it must reach the keychain and nothing else.
const KEY = "desktop-walk-test-value-7Q";

// The first run after the first audit: the few clicks from "type your domain" to "it is watched"
// (counted from the empty window), then a key endpoint's key stored through the form.
async function firstRun(w) {
  const steps = await w.$('[data-testid="first-run"]');
  await steps.waitForExist({ timeout: 10000 });
  let clicks = 1; // "Run audit"
  const click = async (selector) => {
    const el = await w.$(selector);
    await el.waitForClickable({ timeout: 10000 });
    await el.click();
    clicks += 1;
  };
  await click("button=Watch acme-chat.test");
  await (await w.$('[data-testid="step-watch"][data-done="true"]')).waitForExist({ timeout: 10000 });
  await click("button=Start Preflight when I log in");
  await (await w.$('[data-testid="step-login"][data-done="true"]')).waitForExist({ timeout: 10000 });
  await click("button=See them");
  await w.waitUntil(async () => (await w.$$('[data-testid="monitor"]')).length >= 3, { timeout: 20000, timeoutMsg: "the default monitors are not shown" });
  assert.ok(clicks <= 5, `watched in ${clicks} clicks`);
  const home = process.env.PREFLIGHT_TEST_HOME;
  assert.ok(home && process.env.HOME === home, "the app runs with the test's own home (run.sh)");
  assert.ok(readdirSync(join(home, ".config", "autostart")).some((f) => f.endsWith(".desktop")), "an autostart entry was written");

  // A key endpoint and its key, through the settings form. Its save bar stays at the bottom of the
  // window, so a button is brought to the middle before it is pressed, as a person scrolls to it.
  const press = async (selector) => {
    const el = await w.$(selector);
    await el.waitForExist({ timeout: 10000 });
    // WebKitWebDriver ignores scrollIntoView's options: the page's own call centres it.
    await w.execute((e) => e.scrollIntoView({ block: "center" }), el);
    await el.click().catch((e) => {
      screen("desktop-settings-click.png");
      throw new Error(`${selector}: ${e.message}`);
    });
  };
  await press("button=Audit");
  await press("button=Add your key endpoints");
  await press("button=Add an endpoint");
  await (await w.$("#ep-0-name")).setValue("Session");
  await (await w.$("#ep-0-url")).setValue("https://app.acme-chat.test/api/session");
  await (await w.$("#ep-0-secret")).setValue("api-token");
  const box = await w.$("#key-api-token");
  await box.waitForExist({ timeout: 10000 });
  await box.setValue(KEY);
  await press("button=Save to keychain");
  const state = await w.$('[data-testid="key"][data-saved="true"]');
  await state.waitForExist({ timeout: 10000 });
  assert.match(await state.getText(), /saved · ends in …7Q/);
  await press("button=Save settings");
  await (await w.$('[data-testid="saved"]')).waitForExist({ timeout: 10000 });
  screen("desktop-settings.png");
  const stored = execFileSync("secret-tool", ["lookup", "service", "dev.preflight.debug.acme-chat.test", "username", "api-token"]).toString();
  assert.equal(stored, KEY, "the key is in the keychain");
  const data = process.env.PREFLIGHT_DATA_DIR;
  // grep exits 1 when nothing matches: the only answer that passes.
  const leaks = spawnSync("grep", ["-rlaF", "--", KEY, data], { encoding: "utf8" });
  assert.equal(leaks.status, 1, `the key is nowhere in the data folder (logs and history included): ${leaks.stdout}${leaks.stderr}`);
}

test("a founder audits a domain in the real window and finds it in History after a restart", async () => {
  assert.ok(app, "PREFLIGHT_APP names the built app (tests/desktop/run.sh sets it)");
  let w = await launch();
  try {
    const input = await w.$("#domain");
    await input.waitForExist({ timeout: 20000 });
    await input.setValue("acme-chat.test");
    await (await w.$("button[type=submit]")).click();
    const result = await w.$('[data-testid="result"]');
    await result.waitForExist({ timeout: 60000 });
    const verdict = await (await w.$("h1.verdict")).getText();
    assert.match(verdict, /Not ready for launch yet: 2 problems to fix first\./, "the real engine found the demo's two problems");
    const problems = await w.$$('[data-testid="group-fail"] [data-testid="finding"]');
    assert.equal(problems.length, 2);
    const text = await (await w.$('[data-testid="group-fail"]')).getText();
    assert.match(text, /api\.acme-chat\.test/, "the wrong-name certificate is named");
    await assertPaintedProblems("desktop-audit.png");
    await firstRun(w);
  } finally {
    await w.deleteSession();
  }

  w = await launch();
  try {
    // The first run's daily audit may have saved a second run by now: the tab counts them all.
    const tab = await w.$("button*=History (");
    await tab.waitForExist({ timeout: 20000 });
    await tab.click();
    const table = await w.$('[data-testid="history"]');
    await table.waitForExist({ timeout: 10000 });
    assert.match(await table.getText(), /acme-chat\.test/, "the saved run survives a restart");
    const shot = screen("desktop-history.png");
    assert.ok(distinctColors(shot) >= 50, "the History screenshot shows a painted window");
  } finally {
    await w.deleteSession();
  }
});

test("a monitor of a site that does not answer goes DOWN in the window, and a notification is sent", async () => {
  const w = await launch();
  try {
    const tab = await w.$("button=Monitors");
    await tab.waitForExist({ timeout: 20000 });
    await tab.click();
    await (await w.$("summary=Add a monitor by hand")).click();
    // The demo's API serves a certificate for another name: every probe fails, while the
    // reference (its app) answers.
    await (await w.$("#monitor-name")).setValue("API");
    await (await w.$("#monitor-url")).setValue("https://api.acme-chat.test/");
    await (await w.$("#monitor-interval")).selectByVisibleText("10 seconds (for testing)");
    await (await w.$("button=Add monitor")).click();
    // The first run's default monitors are there too: the new card is the one named API.
    let card;
    await w.waitUntil(
      async () => {
        for (const c of await w.$$('[data-testid="monitor"]')) if (/\bAPI\b/.test(await c.getText())) card = c;
        return card !== undefined;
      },
      { timeout: 20000, timeoutMsg: "the API monitor is not shown" },
    );
    assert.match(await card.getText(), /rarely useful/, "under 30 seconds the app warns");
    const down = await w.$('[data-testid="monitor"][data-state="down"]');
    // First probe within 10 s, then two quick re-probes: confirmed DOWN well within 90 s.
    await down.waitForExist({ timeout: 90000 }).catch((e) => {
      screen("desktop-monitor-not-down.png");
      throw e;
    });
    assert.match(await down.getText(), /API/);
    // The notice follows once its grouping window closes (a few seconds): the window lists it
    // under "Just now" as the desktop notification goes out.
    const notice = await w.$('[data-testid="notice"]');
    await notice.waitForExist({ timeout: 20000 });
    assert.match(await notice.getText(), /API is down/);
    const shot = screen("desktop-monitor-down.png");
    assert.ok(pixels(shot, "#c5221f") > 20, "the DOWN card is painted in the problem colour");
  } finally {
    await w.deleteSession();
  }
});

test("the founder measures the sample product's login page: fast enough, then again with before and after", async () => {
  const w = await launch();
  try {
    const tab = await w.$("button=Speed");
    await tab.waitForExist({ timeout: 20000 });
    await tab.click();
    const address = await w.$("#speed-address");
    await address.waitForExist({ timeout: 10000 });
    await address.setValue("https://app.acme-chat.test/login");
    await (await w.$("button=Measure")).click();
    // 60 real requests through the engine to the sample product on loopback.
    const card = await w.$('[data-testid="latency-card"][data-verdict="fast_enough"]');
    await card.waitForExist({ timeout: 60000 });
    assert.match(await card.getText(), /app\.acme-chat\.test\/login is fast enough: 95 of every 100 requests/);
    assert.ok((await card.$$('[data-testid="histogram-bar"]')).length >= 1, "the histogram is drawn");
    assert.ok((await card.$$('[data-testid="waterfall-segment"]')).length >= 3, "the phases are drawn");
    await (await card.$("button=Measure again")).click();
    const change = await w.$('[data-testid="latency-change"]');
    await change.waitForExist({ timeout: 60000 });
    assert.match(await change.getText(), /^Before \(.+\): p95 .+ → now .+/);
    // The person's view: the histogram's bars and the waterfall in the brand colour.
    const blue = await paintedPixels("desktop-speed.png", "#1f4fd6", 300);
    assert.ok(blue >= 300, `the screenshot shows the charts (${blue} pixels of the brand colour)`);
  } finally {
    await w.deleteSession();
  }
});
