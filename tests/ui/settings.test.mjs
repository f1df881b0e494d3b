// The settings view in Chromium, its answers from the real engine: every settings command the
// window sends is run by the `preflight` CLI on a data folder of the test's own (`settings show`,
// `settings check`, `settings save`, `keys set`…), so the refusals under the fields are the
// engine's words and the saved file is the one `latency --config` then measures. Keys go to the
// real Secret Service (scripts/test.sh runs this file under dbus-run-session with a keyring).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { artifacts, cli, openPage, sampleProduct, startBrowser } from "./browser.mjs";

const DOMAIN = "acme-chat.test";
// Typed into the key box; the page must never hold it after it is sent.
const KEY = "settings-form-test-value-Ga";

let ui;
before(async () => {
  ui = await startBrowser();
});
after(async () => {
  await ui?.close();
});

/** Runs the CLI with `input` on stdin; resolves with its exit code and output, never rejects. */
function run(data, args, input = "") {
  return new Promise((resolve) => {
    const child = spawn(cli, args, { env: { ...process.env, PREFLIGHT_DATA_DIR: data } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** The window's settings commands, answered by the CLI over `data`. */
function engine(data) {
  const ok = async (args, input, codes = [0]) => {
    const r = await run(data, args, input);
    if (!codes.includes(r.code)) throw { code: r.stderr.includes("changed") ? "conflict" : "invalid_settings", message: r.stderr.replace(/^preflight: /, "").trim() };
    return r.stdout;
  };
  const show = async (domain) => JSON.parse(await ok(["settings", "show", domain, "--format", "json"])).settings;
  const keys = async (domain) => {
    const v = await show(domain);
    return { keys: v.keys, keychain_error: v.keychain_error };
  };
  const answer = {
    get_settings: ({ domain }) => show(domain),
    check_settings: async ({ form }) => JSON.parse(await ok(["settings", "check", "--format", "json"], JSON.stringify(form), [0, 2])).problems,
    save_settings: async ({ domain, form, revision }) => (await ok(["settings", "save", domain, "--revision", revision], JSON.stringify(form)), show(domain)),
    import_settings: async ({ domain, path }) => (await ok(["settings", "import", domain, path]), show(domain)),
    export_settings: async ({ domain, path }) => (await ok(["settings", "export", domain, path]), path),
    list_keys: ({ domain }) => keys(domain),
    set_key: async ({ domain, name, value }) => (await ok(["keys", "set", domain, name], value), keys(domain)),
    remove_key: async ({ domain, name }) => (await ok(["keys", "remove", domain, name]), keys(domain)),
    list_providers: async ({ domain }) => JSON.parse(await ok(["providers", "list", domain, "--format", "json"])).providers,
  };
  return async (cmd, args) => {
    try {
      return { ok: await answer[cmd](args) };
    } catch (e) {
      return { err: e.code ? e : { code: "internal", message: String(e) } };
    }
  };
}

// Runs inside the page: the settings tab of one product, its commands sent to the engine.
function settingsPage({ domain, picks }) {
  localStorage.setItem("pf-tab", "settings");
  localStorage.setItem("pf-domain", domain);
  const pf = window.__PF__;
  const h = pf.handlers;
  h.app_info = () => ({ version: "0.1.0", data_file: "/tmp/x", store_error: null, settings_error: null, overrides_active: false, last_domain: domain });
  h.list_history = () => [];
  h.decide_name = () => null;
  pf.picks = picks;
  h.pick_path = ({ kind, start }) => {
    pf.starts = [...(pf.starts ?? []), start];
    return pf.picks[kind] ?? null;
  };
  for (const cmd of ["get_settings", "check_settings", "save_settings", "import_settings", "export_settings", "list_keys", "set_key", "remove_key", "list_providers"]) {
    h[cmd] = async (args) => {
      const r = await window.pfEngine(cmd, args);
      if (r.err) throw r.err;
      return r.ok;
    };
  }
}

async function openSettings(data, picks = {}) {
  const opened = await openPage(ui, [[settingsPage, { domain: DOMAIN, picks }]], { expose: { pfEngine: engine(data) } });
  await opened.page.getByTestId("settings-file").waitFor();
  return opened;
}

test("every field is checked by the engine as it is typed, a key goes to the keychain masked, and the saved file is what the CLI measures", async () => {
  const data = mkdtempSync(join(tmpdir(), "pf-settings-"));
  const { page, errors } = await openSettings(data);
  assert.match(await page.getByTestId("settings-file").textContent(), /Nothing saved yet/);

  // A name with a space: the engine's refusal lands under that row, and saving waits for a fix.
  const second = page.getByLabel(`Names under ${DOMAIN} 2`);
  assert.equal(await second.inputValue(), "app", "the usual names are shown when none are set");
  await second.fill("my app");
  const refusal = page.locator("#names-1-problem");
  await refusal.waitFor();
  const cli = await run(data, ["settings", "check", "--format", "json"], JSON.stringify({ domain: DOMAIN, names: ["www", "my app", "api", "auth"], required: null, ignore: [], canonical: null, previews: [], mail_domain: null, dkim_selectors: [], endpoints: [], callbacks: [] }));
  assert.equal(await refusal.textContent(), JSON.parse(cli.stdout).problems[0].message, "the window says what the CLI says");
  assert.equal(await page.getByRole("button", { name: "Save settings" }).isDisabled(), true);
  await second.fill("app");
  await refusal.waitFor({ state: "detached" });

  // An endpoint: its kind's usual target is shown until the founder sets one.
  const app = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      app.bodies.push(`${req.method} ${req.url} ${body}`);
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  app.bodies = [];
  await new Promise((r) => app.listen(0, "127.0.0.1", r));
  try {
    await page.getByRole("button", { name: "Add an endpoint" }).click();
    const ep = page.getByTestId("endpoint").first();
    await ep.getByLabel("Its name").fill("Send a message");
    await ep.getByLabel("What it does").selectOption("chat_send");
    await ep.getByLabel("Method").selectOption("POST");
    await ep.getByLabel("Address").fill("http://app.acme-chat.test/v1/chat");
    await ep.getByLabel("Body").fill('{"message":"hello {{n}}"}');
    assert.match(await ep.getByTestId("kind-target").textContent(), /Empty: 900 ms at the 95th percentile/);
    assert.match(await ep.textContent(), /\{\{random\}\}: 16 random hex digits/, "the body helpers are explained");

    // A key named for an http address is refused where it was typed, in the engine's words.
    await ep.getByLabel("Its key").fill("api-token");
    await page.locator('[data-field="endpoints.0.secret"]').waitFor();
    assert.match(await page.locator('[data-field="endpoints.0.secret"]').textContent(), /https/);
    await ep.getByLabel("Its key").fill("");
    await page.locator('[data-field="endpoints.0.secret"]').waitFor({ state: "detached" });

    // A second endpoint over https carries the key: typed once, then shown only by its state.
    await page.getByRole("button", { name: "Add an endpoint" }).click();
    const signIn = page.getByTestId("endpoint").nth(1);
    await signIn.getByLabel("Its name").fill("Session");
    await signIn.getByLabel("Address").fill("https://app.acme-chat.test/api/session");
    await signIn.getByLabel("Its key").fill("api-token");
    const box = signIn.getByLabel("The value of api-token");
    await box.fill(KEY);
    assert.equal(await box.getAttribute("type"), "password", "a key is typed into a masked box");
    await signIn.getByRole("button", { name: "Save to keychain" }).click();
    await signIn.getByTestId("key-state").getByText(`saved · ends in …${KEY.slice(-2)}`).waitFor();
    assert.ok(!(await page.content()).includes(KEY), "the key is not in the page once it is sent");
    assert.ok(!JSON.stringify(await page.evaluate(() => window.__PF__.calls.filter((c) => c.cmd !== "set_key"))).includes(KEY), "only set_key ever carried it");

    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByTestId("saved").waitFor();
    const file = join(data, "products", `${DOMAIN}.toml`);
    const saved = readFileSync(file, "utf8");
    assert.ok(!saved.includes(KEY), "the settings file names the key, never holds it");
    assert.match(saved, /secret = "api-token"/);
    await page.screenshot({ path: join(artifacts, "ui-settings.png"), fullPage: true });

    // The CLI measures the file the window wrote: the body helper filled in for each request.
    const connect = ["--connect-to", `app.acme-chat.test:80:127.0.0.1:${app.address().port}`, "--connect-to", `app.acme-chat.test:443:127.0.0.1:${app.address().port}`];
    const measured = await run(data, ["latency", "--config", file, "--samples", "3", "--cold", "1", "--format", "json", "--fail-on", "never", "--no-save", ...connect]);
    const chat = JSON.parse(measured.stdout).endpoints.find((e) => e.name === "Send a message");
    assert.ok(chat, measured.stdout + measured.stderr);
    assert.equal(chat.kind, "chat_send");
    assert.equal(chat.target_ms, 900);
    assert.ok(app.bodies.includes('POST /v1/chat {"message":"hello 1"}'), app.bodies.join("\n"));
    const shown = JSON.parse((await run(data, ["settings", "show", DOMAIN, "--format", "json"])).stdout).settings;
    assert.deepEqual(shown.keys.find((k) => k.name === "api-token")?.saved, true, "the key is in the keychain");
  } finally {
    app.close();
  }
  assert.deepEqual(errors, []);
  await page.close();
});

test("a repository's preflight.toml is imported with its comments, exported, and a hand edit on disk reloads the form", async () => {
  const data = mkdtempSync(join(tmpdir(), "pf-settings-"));
  const repo = mkdtempSync(join(tmpdir(), "pf-repo-"));
  const mine = join(repo, "preflight.toml");
  writeFileSync(mine, `# Our product, kept with the code\ndomain = "${DOMAIN}"\n# the names we really use\nnames = ["www", "app"]\ncanonical = "www.${DOMAIN}"\n`);
  mkdirSync(join(repo, "exported"));
  const out = join(repo, "exported", "preflight.toml");
  const { page, errors } = await openSettings(data, { file: mine, save: out });
  await page.getByRole("button", { name: "Import preflight.toml…" }).click();
  await page.getByTestId("saved").getByText(/Imported/).waitFor();
  assert.equal(await page.getByLabel("The one address of your site").inputValue(), `www.${DOMAIN}`);
  assert.equal(await page.getByTestId("list-names").getByRole("textbox").count(), 2);
  const file = join(data, "products", `${DOMAIN}.toml`);
  assert.match(readFileSync(file, "utf8"), /# the names we really use/, "the hand-written comments come along");

  // A selector added in the window is one the audit then tries: `audit --config` reads the saved file.
  await page.getByRole("button", { name: "Add a selector" }).click();
  await page.getByLabel("DKIM selectors 1").fill("pf2026");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByTestId("saved").getByText(/Saved to/).waitFor();
  assert.match(readFileSync(file, "utf8"), /# the names we really use[\s\S]*dkim_selectors = \["pf2026"\]/);
  const demo = await sampleProduct();
  try {
    const audited = await new Promise((resolve) => {
      const child = spawn(cli, ["audit", "--config", file, "--format", "json", "--no-ct"], { env: { ...process.env, ...demo.env, PREFLIGHT_DATA_DIR: data } });
      let stdout = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.on("close", (code) => resolve({ code, stdout }));
    });
    assert.ok([0, 1, 4].includes(audited.code), `the audit accepted the window's file (exit ${audited.code})`);
    const dkim = JSON.parse(audited.stdout).findings.find((f) => f.id === "email.dkim");
    assert.ok(dkim?.evidence?.tried?.includes("pf2026"), `the audit tried the selector saved in the window: ${JSON.stringify(dkim?.evidence)}`);
  } finally {
    demo.stop();
  }

  // The export dialog opens where the import came from, remembered for this product.
  const exported = await run(data, ["settings", "show", DOMAIN, "--format", "toml"]);
  await page.getByRole("button", { name: "Export preflight.toml…" }).click();
  await page.getByTestId("saved").getByText(/Exported to/).waitFor();
  assert.equal(readFileSync(out, "utf8"), exported.stdout);
  const starts = await page.evaluate(() => window.__PF__.starts);
  assert.deepEqual(starts, [null, `${repo}/preflight.toml`]);

  // Someone edits the file by hand: the watcher's event reloads a form with no edits of its own.
  const edited = readFileSync(file, "utf8").replace(`canonical = "www.${DOMAIN}"`, `canonical = "${DOMAIN}"`);
  writeFileSync(file, edited);
  const revision = JSON.parse((await run(data, ["settings", "show", DOMAIN, "--format", "json"])).stdout).settings.revision;
  await page.evaluate(([domain, revision]) => window.__PF__.emit("settings-changed", { domain, revision }), [DOMAIN, revision]);
  await page.waitForFunction((d) => document.querySelector("#canonical")?.value === d, DOMAIN, { timeout: 5000 });

  // With edits of its own, the form is not replaced: the founder is told, and a save is refused.
  await page.getByLabel("The one address of your site").fill(`app.${DOMAIN}`);
  writeFileSync(file, edited.replace("# the names we really use", "# edited again"));
  const again = JSON.parse((await run(data, ["settings", "show", DOMAIN, "--format", "json"])).stdout).settings.revision;
  await page.evaluate(([domain, revision]) => window.__PF__.emit("settings-changed", { domain, revision }), [DOMAIN, again]);
  await page.getByTestId("changed-on-disk").waitFor();
  assert.equal(await page.getByLabel("The one address of your site").inputValue(), `app.${DOMAIN}`, "the founder's edit is still there");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByRole("alert").filter({ hasText: /changed/ }).first().waitFor();
  assert.match(readFileSync(file, "utf8"), /# edited again/, "the hand edit is not overwritten");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a customer path is set in the window: its template's fields, the engine's refusal under it, its keys to the keychain, and the file the CLI runs", async () => {
  const data = mkdtempSync(join(tmpdir(), "pf-settings-"));
  const { page, errors } = await openSettings(data);
  await page.getByRole("button", { name: "Add a path" }).click();
  const path = page.getByTestId("flow").first();
  assert.equal(await path.getByLabel("What it does").inputValue(), "login", "the first path is the sign-in");
  assert.equal(await path.getByLabel("The test account's password (a key)").inputValue(), "test-password", "its keys are named the usual way");

  // A sign-in page over http is refused under the path, in the words `preflight flow run` prints.
  await path.getByLabel("The sign-in page (or sign-in API)").fill(`http://app.${DOMAIN}/login`);
  await path.getByLabel("A page only a signed-in customer gets").fill(`https://app.${DOMAIN}/account`);
  const refusal = page.locator('[data-field="flows.0"]');
  await refusal.waitFor();
  assert.match(await refusal.textContent(), /login_url/);
  assert.equal(await page.getByRole("button", { name: "Save settings" }).isDisabled(), true, "nothing is saved while a path is refused");
  await path.getByLabel("The sign-in page (or sign-in API)").fill(`https://app.${DOMAIN}/login`);
  await refusal.waitFor({ state: "detached" });

  // The test account's password goes to the keychain from beside its field, masked.
  const box = path.getByLabel("The value of test-password");
  await box.fill("a plain test password");
  assert.equal(await box.getAttribute("type"), "password");
  await path.getByRole("button", { name: "Save to keychain" }).nth(1).click();
  await path.getByTestId("key-state").nth(1).getByText(/saved · ends in …rd/).waitFor();
  await path.screenshot({ path: join(artifacts, "ui-settings-path.png") });

  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByTestId("saved").waitFor();
  const saved = readFileSync(join(data, "products", `${DOMAIN}.toml`), "utf8");
  assert.match(saved, /\[\[flows\]\]\nname = "Sign in"\ntemplate = "login"/);
  assert.ok(!saved.includes("a plain test password"), "the file names the key, never holds it");
  const shown = JSON.parse((await run(data, ["settings", "show", DOMAIN, "--format", "json"])).stdout).settings;
  assert.deepEqual(shown.keys.find((k) => k.name === "test-password")?.used_by, ["Sign in"], "the key is listed with the path that uses it");
  assert.deepEqual(errors, []);
  await page.close();
});

test("a question for the chatbot is set in the window: a broken pattern refused under it, and the [[evals]] the CLI asks", async () => {
  const data = mkdtempSync(join(tmpdir(), "pf-settings-"));
  const { page, errors } = await openSettings(data);
  await page.getByRole("button", { name: "Add a question" }).click();
  const q = page.getByTestId("eval").first();
  await q.getByLabel("The question").fill("How long do refunds take?");
  await q.getByRole("button", { name: "Add what it must say" }).click();
  await q.locator("#eval-0-must-0").fill("/refund(s/");
  const refusal = page.locator('[data-field="evals.0.must_contain"]');
  await refusal.waitFor();
  assert.match(await refusal.textContent(), /not a regular expression/, "the engine's words, under the list");
  assert.equal(await page.getByRole("button", { name: "Save settings" }).isDisabled(), true);
  await q.locator("#eval-0-must-0").fill("5 business days");
  await refusal.waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.getByTestId("saved").waitFor();
  const saved = readFileSync(join(data, "products", `${DOMAIN}.toml`), "utf8");
  assert.match(saved, /\[\[evals\]\]\nquestion = "How long do refunds take\?"\nmust_contain = \["5 business days"\]/, saved);
  const shown = JSON.parse((await run(data, ["settings", "show", DOMAIN, "--format", "json"])).stdout).settings;
  assert.equal(shown.form.evals[0].must_contain[0], "5 business days");
  assert.deepEqual(errors, []);
  await page.close();
});
