// What the desktop tests share: a WebDriver session on the real app, and what the X server shows
// (the person's view, not WebKit's idea of the page).
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { remote } from "webdriverio";

/** The built app run.sh names. */
export const app = process.env.PREFLIGHT_APP;

/** A new session: tauri-driver starts the app. */
export function launch() {
  return remote({
    hostname: "127.0.0.1",
    port: 4444,
    logLevel: "warn",
    capabilities: { "wdio:enforceWebDriverClassic": true, "tauri:options": { application: app } },
  });
}

const artifacts = process.env.PREFLIGHT_ARTIFACTS ?? ".";

/** A screenshot of the whole X screen, saved in the artifacts folder; returns its path. */
export function screen(name) {
  const path = join(artifacts, name);
  execFileSync("import", ["-window", "root", path]);
  return path;
}

/** How many pixels of the screenshot are exactly `color` (ImageMagick: everything else black, that
 * colour white, then the mean brightness times the area). */
export function pixels(path, color) {
  const out = execFileSync("convert", [path, "-alpha", "off", "-fill", "black", "+opaque", color, "-fill", "white", "-opaque", color,
    "-format", "%[fx:round(mean*w*h)]", "info:"]);
  return Number(out.toString().trim());
}

export function distinctColors(path) {
  return Number(execFileSync("identify", ["-format", "%k", path]).toString().trim());
}

/** Screenshots `name` until it holds at least `min` pixels of `color` or 10 s pass (the compositor
 * may paint a frame after the DOM is ready); returns the last count. */
export async function paintedPixels(name, color, min) {
  const deadline = Date.now() + 10000;
  let count;
  do {
    count = pixels(screen(name), color);
    if (count >= min) return count;
    await new Promise((r) => setTimeout(r, 250));
  } while (Date.now() < deadline);
  return count;
}
