// On-demand measurement (scripts/measure-startup.sh runs it; not part of npm test): what a founder
// waits for, in the real app over WebDriver under Xvfb.
//   map     session request → the Preflight window is mapped (xdotool, polled)
//   paint   session request → the page's first contentful paint (the form)
//   result  click on "Try the demo" → the result is in the DOM and two frames are painted
// In-page times come from the page's own clock (performance.now / paint timing), so no screenshot
// polling blurs them.
import { remote } from "webdriverio";
import { spawn } from "node:child_process";

const app = process.env.PREFLIGHT_APP;
const runs = Number(process.env.RUNS ?? 5);

function waitForWindow() {
  return new Promise((resolve) => {
    const p = spawn("bash", ["-c", 'until xdotool search --onlyvisible --name "^Preflight$" >/dev/null 2>&1; do :; done; date +%s%3N']);
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.on("close", () => resolve(Number(out.trim())));
  });
}

console.log("run  map ms  paint ms  result ms (click → drawn)");
for (let run = 1; run <= runs; run++) {
  const mapped = waitForWindow();
  const t0 = Date.now();
  const w = await remote({
    hostname: "127.0.0.1",
    port: 4444,
    logLevel: "error",
    capabilities: { "wdio:enforceWebDriverClassic": true, "tauri:options": { application: app } },
  });
  try {
    await (await w.$("#domain")).waitForExist({ timeout: 20000 });
    const page = await w.execute(() => {
      const fcp = performance.getEntriesByType("paint").find((e) => e.name === "first-contentful-paint");
      return { origin: performance.timeOrigin, fcp: fcp ? fcp.startTime : null, now: performance.now() };
    });
    const demo = await w.$("button=Try the demo");
    await demo.waitForClickable({ timeout: 10000 });
    const result = await w.executeAsync((done) => {
      const button = [...document.querySelectorAll("button")].find((b) => b.textContent.trim() === "Try the demo");
      const start = performance.now();
      const seen = () => document.querySelector('[data-testid="result"]');
      const finish = () => requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - start)));
      const o = new MutationObserver(() => {
        if (seen()) {
          o.disconnect();
          finish();
        }
      });
      o.observe(document.body, { subtree: true, childList: true });
      button.click();
    });
    const paint = page.fcp === null ? "n/a" : Math.round(page.origin + page.fcp - t0);
    console.log(`${String(run).padEnd(4)} ${String((await mapped) - t0).padStart(7)} ${String(paint).padStart(9)} ${String(Math.round(result)).padStart(10)}`);
  } finally {
    await w.deleteSession();
  }
}
