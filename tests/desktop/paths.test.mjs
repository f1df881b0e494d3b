// The sample product's paths in the real window: its settings (as `preflight demo --serve
// --settings-out` writes them) and its test account's keys (set with `preflight keys set`, from
// stdin, into the session's keychain) are the founder's; the window walks sign-in, chat, logout and
// the password reset and shows each path's steps. Then the paths are set to run after every deploy,
// the sample ships a release whose chat breaks, and the notice names the failing step (run.sh
// checks that dbus-monitor saw it go out as a desktop notification). Before that release, the
// Chatbot view's red team finds the sample bot's leaks and its two questions pass.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launch, paintedPixels } from "./harness.mjs";

const DOMAIN = "acme-chat.test";
// The sample's made-up test account (docs/cli.md, `preflight demo`).
const KEYS = {
  "test-email": "ada@acme.test",
  "test-password": "correct horse battery",
  "mailbox-user": "ada@acme.test",
  "mailbox-password": "sample mailbox pass",
  "stripe-signing": "whsec_sampleAcmeChatSigningSecret", // preflight:allow
  // The canary in the sample bot's system prompt, as the founder saves it from the Chatbot view.
  "redteam-canary": "PF-7QK2M9",
};

function seedSettings() {
  const sample = readFileSync(process.env.PREFLIGHT_SAMPLE_SETTINGS, "utf8");
  const dir = join(process.env.PREFLIGHT_DATA_DIR, "products");
  const file = join(dir, `${DOMAIN}.toml`);
  mkdirSync(dir, { recursive: true });
  // The first test saved this product's settings through the form: the sample's paths join them.
  if (existsSync(file)) {
    const tables = sample.slice(sample.indexOf("[["));
    writeFileSync(file, `${readFileSync(file, "utf8").trimEnd()}\n\n${tables}`);
  } else {
    writeFileSync(file, sample);
  }
  for (const [name, value] of Object.entries(KEYS)) {
    execFileSync(process.env.CLI_BIN, ["keys", "set", DOMAIN, name], { input: value });
  }
}

async function click(w, selector) {
  const el = await w.$(selector);
  await el.waitForExist({ timeout: 10000 });
  await w.execute((e) => e.scrollIntoView({ block: "center" }), el);
  await el.click();
}

before(seedSettings);

test("the window's red team finds the sample bot's leaks in words, after saying what it sends, and its questions pass", async () => {
  const w = await launch();
  try {
    await click(w, "button=Chatbot");
    const plan = await w.$('[data-testid="red-team-plan"]');
    await plan.waitForExist({ timeout: 20000 });
    assert.match(await plan.getText(), /150 messages .* tokens in all, billed to your model account/, "the plan in numbers first");
    await (await w.$('[data-testid="red-team-tries"]')).selectByIndex(0);
    await w.waitUntil(async () => /Preflight will send 50 messages/.test(await (await w.$('[data-testid="red-team-plan"]')).getText()), {
      timeout: 10000,
      timeoutMsg: "the quick run's plan is not said",
    });
    await click(w, '[data-testid="send-red-team"]');
    const result = await w.$('[data-testid="red-team-result"][data-verdict="leaked"]');
    // 50 messages at 2 a second.
    await result.waitForExist({ timeout: 90000, timeoutMsg: "the red team's result is not shown" });
    const text = await result.getText();
    assert.match(text, /Your chatbot can be talked into leaking/);
    assert.match(text, /Asked to play a character without rules .* your bot gave in/, "the family in the founder's words");
    // Read from the page in one call: WebKitWebDriver takes one command at a time.
    const families = await w.execute(() => [...document.querySelectorAll('[data-testid="family"]')].map((f) => [f.dataset.family, Number(f.dataset.leaks)]));
    assert.deepEqual(families.filter(([, n]) => n > 0).map(([f]) => f), ["roleplay", "encoded", "indirect", "exfiltration"], JSON.stringify(families));
    // The person's view: the leaking families painted in the problem colour.
    await w.execute((e) => e.scrollIntoView({ block: "center" }), await w.$('[data-testid="family"][data-family="roleplay"]'));
    const red = await paintedPixels("desktop-chatbot.png", "#c5221f", 100);
    assert.ok(red >= 100, `the screenshot shows the leaks (${red} pixels of the problem colour)`);

    await click(w, '[data-testid="ask-questions"]');
    const asked = await w.$('[data-testid="questions-result"][data-verdict="pass"]');
    await asked.waitForExist({ timeout: 30000, timeoutMsg: "the questions' result is not shown" });
    assert.match(await asked.getText(), /All 2 questions got the answer you asked for/);
  } finally {
    await w.deleteSession();
  }
});

test("the window walks the sample's paths, and a deploy that breaks the chat is told with its step", async () => {
  const w = await launch();
  try {
    await click(w, "button=Paths");
    await (await w.$('[data-testid="path-plan"]')).waitForExist({ timeout: 20000 });
    await click(w, "button=Run these paths");
    await w.waitUntil(async () => (await w.$$('[data-testid="path-result"]')).length === 4, {
      timeout: 60000,
      timeoutMsg: "the four paths' results are not shown",
    });
    const results = await w.$$('[data-testid="path-result"]');
    for (const r of results) {
      assert.equal(await r.getAttribute("data-status"), "pass", await r.getText());
      assert.ok((await r.$$('[data-testid="path-step"]')).length >= 2, "each path shows its steps");
    }
    const reset = await results[3].getText();
    assert.match(reset, /Reset your Acme password/, "the reset mail's subject is quoted");
    assert.match(reset, /Open the link in it/);
    // The person's view: the passing paths painted in the pass colour.
    const green = await paintedPixels("desktop-paths.png", "#15703f", 200);
    assert.ok(green >= 200, `the screenshot shows the passing paths (${green} pixels of the pass colour)`);

    // After every deploy: the founder's tick, a monitor that reads the app's build, a release.
    await click(w, '[data-testid="paths-after-deploy"]');
    await w.waitUntil(async () => (await w.$('[data-testid="paths-after-deploy"]')).isSelected(), { timeout: 10000 });
    await click(w, "button=Monitors");
    await click(w, "summary=Add a monitor by hand");
    await (await w.$("#monitor-name")).setValue("App");
    await (await w.$("#monitor-url")).setValue(`https://app.${DOMAIN}/`);
    await (await w.$("#monitor-interval")).selectByVisibleText("10 seconds (for testing)");
    await click(w, "button=Add monitor");
    let card;
    await w.waitUntil(
      async () => {
        for (const c of await w.$$('[data-testid="monitor"][data-state="up"]')) if (/\bApp\b/.test(await c.getText())) card = c;
        return card !== undefined;
      },
      // Its first probe records the build; the view shows it within its 30 s refresh.
      { timeout: 75000, timeoutMsg: "the App monitor did not come up (its first look records the build)" },
    );
    process.kill(Number(process.env.PREFLIGHT_DEMO_PID), "SIGUSR1");
    let told;
    await w.waitUntil(
      async () => {
        for (const n of await w.$$('[data-testid="notice"]')) {
          const text = await n.getText();
          if (/^Deploy of acme-chat\.test at .*paths broke/.test(text)) told = text;
        }
        return told !== undefined;
      },
      { timeout: 60000, timeoutMsg: "no notice of the paths run after the deploy" },
    );
    assert.match(told, /1 of 4 paths broke/);
    assert.match(told, /Chat: step 2 \(Send a message\) answered with error 500/, "the notice names the failing step");
    assert.match(told, /Sign in works/);
  } finally {
    await w.deleteSession();
  }
});
