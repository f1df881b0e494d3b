// The real Preflight window over WebDriver: type the demo product's domain, audit it through
// the real engine (pointed at loopback by PREFLIGHT_*), read the findings, restart, find it in History.
import { test } from "node:test";
import assert from "node:assert/strict";
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
  } finally {
    await w.deleteSession();
  }

  w = await launch();
  try {
    const tab = await w.$("button=History (1)");
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
    const card = await w.$('[data-testid="monitor"]');
    await card.waitForExist({ timeout: 20000 });
    assert.match(await card.getText(), /rarely useful/, "under 30 seconds the app warns");
    const down = await w.$('[data-testid="monitor"][data-state="down"]');
    // First probe within 10 s, then two quick re-probes: confirmed DOWN well within 90 s.
    await down.waitForExist({ timeout: 90000 });
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
