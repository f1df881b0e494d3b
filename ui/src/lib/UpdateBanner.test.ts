import { fireEvent, render, screen } from "@testing-library/svelte";
import { tick } from "svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";

const installs: string[] = [];
let available: unknown = { version: "0.2.0", current: "0.1.0", notes: "Faster audits.\nA status page check.", date: "2026-12-06T00:00:00Z" };
let install: () => Promise<null> = async () => null;
// The banner's own check, so a test can wait for its answer rather than for a while.
let checked: Promise<unknown> = Promise.resolve();
vi.mock("../ipc", () => ({
  api: {
    checkUpdate: () => (checked = Promise.resolve(available)),
    installUpdate: (v: string) => {
      installs.push(v);
      return install();
    },
  },
  subscribe: async () => () => {},
}));

import UpdateBanner from "./UpdateBanner.svelte";

describe("UpdateBanner", () => {
  beforeEach(() => {
    installs.length = 0;
    install = async () => null;
  });

  it("offers a newer release with its notes and installs only the version shown, when asked", async () => {
    render(UpdateBanner);
    expect((await screen.findByTestId("update")).textContent).toContain("Preflight 0.2.0 is ready");
    expect(screen.getByTestId("update-notes").textContent).toBe("Faster audits.\nA status page check.");
    expect(installs).toEqual([]);
    await fireEvent.click(screen.getByRole("button", { name: "Install and restart" }));
    expect(installs).toEqual(["0.2.0"]);
  });

  it("says why an install failed and lets the founder try later", async () => {
    install = async () => {
      throw new Error("Preflight 0.2.0 was not installed, and nothing changed: the signature does not match");
    };
    render(UpdateBanner);
    await fireEvent.click(await screen.findByRole("button", { name: "Install and restart" }));
    expect((await screen.findByRole("alert")).textContent).toContain("nothing changed");
    await fireEvent.click(screen.getByRole("button", { name: "Later" }));
    expect(screen.queryByTestId("update")).toBeNull();
  });

  it("shows nothing when there is nothing newer", async () => {
    available = null;
    render(UpdateBanner);
    await checked;
    await tick();
    expect(screen.queryByTestId("update")).toBeNull();
    available = { version: "0.2.0", current: "0.1.0", notes: null, date: null };
  });
});
