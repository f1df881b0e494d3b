// Tauri's beforeBundleCommand: builds the `preflight` CLI and `preflight-tray` (the tray-only
// process) in the same profile as the app and puts
// it where tauri.conf.json's bundle.linux.deb.files picks it up, so the installed package ships
// them beside `preflight-desktop`. Node rather than a shell script: the hook runs on every
// platform's bundling.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, chmodSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const debug = process.env.TAURI_ENV_DEBUG === "true";
// Only the Linux packages carry the CLI and the tray-only process (tauri.conf.json's
// bundle.linux.*.files); the Windows and macOS installers do not, and the CLI reaches those
// systems as its own archive on the release (.github/workflows/release.yml).
if ((process.env.TAURI_ENV_PLATFORM || process.platform) !== "linux") {
  console.log("stage-cli: not a Linux bundle, nothing to stage");
  process.exit(0);
}
// A cross build (the release's arm64 runner names its target) stages that target's binaries.
const triple = process.env.TAURI_ENV_TARGET_TRIPLE;
const host = spawnSync("rustc", ["-vV"], { encoding: "utf8" }).stdout?.match(/^host: (.+)$/m)?.[1];
const cross = triple && triple !== host ? triple : null;
// The update test builds its "next release" with one more migration: the CLI in that package has it too.
const features = process.env.PREFLIGHT_STAGE_FEATURES ? ["--features", process.env.PREFLIGHT_STAGE_FEATURES] : [];
const args = ["build", "-p", "preflight-cli", "-p", "preflight-tray", "--locked", ...(debug ? [] : ["--release"]), ...(cross ? ["--target", cross] : []), ...features];
const built = spawnSync("cargo", args, { cwd: root, stdio: "inherit" });
if (built.status !== 0) {
  console.error(`stage-cli: cargo ${args.join(" ")} failed`);
  process.exit(built.status ?? 1);
}
const target = process.env.CARGO_TARGET_DIR || join(root, "target");
const out = join(root, "src-tauri/gen/bin");
mkdirSync(out, { recursive: true });
for (const name of ["preflight", "preflight-tray"]) {
  const exe = process.platform === "win32" ? `${name}.exe` : name;
  copyFileSync(join(target, ...(cross ? [cross] : []), debug ? "debug" : "release", exe), join(out, exe));
  chmodSync(join(out, exe), 0o755);
  console.log(`stage-cli: ${join(out, exe)} (${debug ? "debug" : "release"})`);
}
